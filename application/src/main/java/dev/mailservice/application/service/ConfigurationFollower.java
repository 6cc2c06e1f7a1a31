package dev.mailservice.application.service;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.domain.Backoff;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps the active configuration following the stored one, so that every replica applies a
 * change without being asked: applies it at start, again whenever the backend says it may have
 * changed, and keeps retrying while the backend is unreachable.
 *
 * <p>Every application goes through the {@link ReloadSmtpConfiguration} use case (as a reload after
 * a change, {@link ReloadSmtpConfiguration#reloadAfterChange()}), so a change picked up this way is
 * validated, applied and reported like an HTTP reload: a bad value is not applied, is logged, and
 * shows as the last reload error. The work runs on one thread of
 * its own, so the backend's threads that report changes are never blocked.
 */
public final class ConfigurationFollower implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ConfigurationFollower.class.getName());
    /** How long closing waits for an application under way before it interrupts it. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final ConfigRepository repository;
    private final ReloadSmtpConfiguration reload;
    private final boolean watch;
    private final ServiceMetrics metrics;
    private final Backoff retryDelays;
    private final ScheduledThreadPoolExecutor worker = newWorker();

    // Touched only on the worker thread.
    private ScheduledFuture<?> pendingRetry;
    private int failedAttempts;

    /**
     * Whether an application is queued and has not begun reading: a change told meanwhile needs no other, since
     * the one queued reads what is stored when it runs. So however many changes are told (a flood of
     * invalidation messages, say), at most one application waits behind the one running.
     */
    private final AtomicBoolean applicationQueued = new AtomicBoolean();

    /** Held while the watch opened is kept and while closing begins: a close that came first leaves none open. */
    private final Object lifecycle = new Object();
    /** Guarded by {@link #lifecycle}. */
    private boolean closed;
    /** Guarded by {@link #lifecycle}. */
    private ConfigRepository.Subscription subscription = ConfigRepository.Subscription.NONE;

    /**
     * @param repository  where the configuration is stored
     * @param reload      the use case that applies it
     * @param watch       whether to follow changes as they happen, or apply only at start and on request
     * @param retryDelays how long to wait between attempts while the backend is unreachable
     * @param metrics     told when a lost watch is back
     */
    public ConfigurationFollower(ConfigRepository repository, ReloadSmtpConfiguration reload, boolean watch,
            Backoff retryDelays, ServiceMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.reload = Objects.requireNonNull(reload, "reload");
        this.watch = watch;
        this.retryDelays = Objects.requireNonNull(retryDelays, "retryDelays");
    }

    private static ScheduledThreadPoolExecutor newWorker() {
        ScheduledThreadPoolExecutor worker = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("smtp-configuration-follower").daemon(true).factory());
        // Closing drops a pending retry instead of waiting for it.
        worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return worker;
    }

    /**
     * Starts watching (if asked to) and applies the stored configuration once before returning.
     * A failure does not stop the start: it is recorded by the reload, and an unreachable backend
     * is tried again in the background until it answers. After {@link #close} (a stop that came
     * during the service's start), it does nothing.
     */
    public void start() {
        // Opened outside the lock, which a stop's close takes: a watch slow to open does not hold the stop.
        ConfigRepository.Subscription opened = watch ? repository.watch(listener()) : ConfigRepository.Subscription.NONE;
        synchronized (lifecycle) {
            if (closed) {
                opened.close();
                return;
            }
            subscription = opened;
        }
        try {
            worker.submit(this::apply).get();
        } catch (RejectedExecutionException | CancellationException closedMeanwhile) {
            // Closed since the check above, before the application ran: nothing is to be applied any more.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("applying the stored configuration failed unexpectedly", e.getCause());
        }
    }

    private ConfigRepository.ChangeListener listener() {
        return new ConfigRepository.ChangeListener() {
            @Override
            public void storedConfigurationMayHaveChanged() {
                if (!applicationQueued.compareAndSet(false, true)) {
                    return;
                }
                try {
                    worker.execute(ConfigurationFollower.this::applyQueued);
                } catch (RejectedExecutionException closing) {
                    // Told of a change while closing: there is nothing to apply it to any more.
                }
            }

            @Override
            public void watchResumed() {
                metrics.watchResumed(repository.backendName());
            }
        };
    }

    /** The application a change queued: a change told from here on, before the read, queues the next one. */
    private void applyQueued() {
        applicationQueued.set(false);
        apply();
    }

    private void apply() {
        if (pendingRetry != null) {
            pendingRetry.cancel(false);
            pendingRetry = null;
        }
        try {
            reload.reloadAfterChange();
            failedAttempts = 0;
        } catch (BackendUnavailable e) {
            Duration delay = retryDelays.delay(failedAttempts++);
            try {
                pendingRetry = worker.schedule(this::apply, delay.toMillis(), TimeUnit.MILLISECONDS);
                LOG.log(Level.INFO, "Trying {0} again in {1} ms", repository.location(), delay.toMillis());
            } catch (RejectedExecutionException closing) {
                // Closing: no more tries.
            }
        } catch (ServiceFailure e) {
            // Logged and recorded as the last reload error by the reload itself; waits for the next change.
            failedAttempts = 0;
        } catch (RuntimeException e) {
            // A bug, which the reload throws as it came, recording nothing: said here, as a request's
            // would be; the next change is tried as usual.
            failedAttempts = 0;
            LOG.log(Level.ERROR, "Applying a change of " + repository.location() + " failed unexpectedly", e);
        }
    }

    /**
     * Stops watching and retrying, and waits up to {@link #CLOSE_TIMEOUT} for an application under
     * way to end, so that nothing is activated after the sender has been closed.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
            subscription.close();
        }
        worker.shutdown();
        try {
            if (!worker.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                dropQueued();
            }
        } catch (InterruptedException e) {
            dropQueued();
            Thread.currentThread().interrupt();
        }
    }

    /** Interrupts the application under way and cancels those queued, so that a start waiting on one returns. */
    private void dropQueued() {
        worker.shutdownNow().forEach(queued -> ((Future<?>) queued).cancel(false));
    }
}
