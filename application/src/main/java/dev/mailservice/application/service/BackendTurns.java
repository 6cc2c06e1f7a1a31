package dev.mailservice.application.service;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Lets the reloads and saves of this replica use the backend one at a time, each for its whole
 * step (read, or read and write, then apply), so that two of them (an HTTP call and a watch
 * event, say) never interleave and the later one applies what it read last. Sends never wait for
 * a turn.
 *
 * <p>A turn is waited for no longer than the two calls of the backend a step makes at most may
 * take ({@link ConfigRepository#longestCall()}), then refused as {@link BackendUnavailable} with a
 * time to try again after: a slow step (a read stalled on an unreachable backend) cannot hold every
 * other one without bound. A step that waited for one that met the backend unavailable is refused
 * the same way without calling it: that call ended while it waited, so its own would most likely
 * meet the same, and making it anyway would pay the backend's timeout twice (an HTTP reload asked
 * while a watch event's read stalls on a lost etcd cluster would answer after twice the dial
 * timeout). A refused step has read, written and applied nothing; the step it waited for records
 * its own outcome. The steps that run still run one at a time, in the order they take their turn.
 */
public final class BackendTurns {

    /** The most calls of the backend one step makes: a save reads the revision, then writes; a reload whose revision went back reads twice. */
    private static final int CALLS_PER_TURN = 2;

    private final ConfigRepository repository;
    private final ReentrantLock lock = new ReentrantLock();
    // Written holding the lock; read before taking it, to tell the turns that end while one waits.
    private volatile long turnsEnded;
    // Guarded by the lock: what the last turn met, when the backend was unavailable to it.
    private BackendUnavailable lastTurnUnavailable;

    public BackendTurns(ConfigRepository repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    /**
     * Waits for this step's turn; close the turn when the step ends.
     *
     * @throws BackendUnavailable busy, with a time to try again after, when the turn did not come
     *                            within two calls of the backend; the same as the turn waited for,
     *                            when the backend was unavailable to it
     */
    Turn take() {
        long endedBefore = turnsEnded;
        acquire();
        if (turnsEnded != endedBefore && lastTurnUnavailable != null) {
            BackendUnavailable met = lastTurnUnavailable;
            lock.unlock();
            throw new BackendUnavailable("Not tried, as the step it waited for met " + repository.location()
                    + " unavailable: " + met.getMessage(), met);
        }
        return new Turn();
    }

    /** How many turns have ended so far: a step that ran outside a turn can tell whether one ended meanwhile. */
    long ended() {
        return turnsEnded;
    }

    /**
     * Runs {@code record}, the record of what a step met outside a turn, unless a turn ended since
     * {@code endedBefore} ({@link #ended()}) or one is under way: that turn read later, and its
     * outcome stands. No turn ends while it runs.
     */
    void recordUnlessOvertaken(long endedBefore, Runnable record) {
        if (lock.tryLock()) {
            try {
                if (turnsEnded == endedBefore) {
                    record.run();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private void acquire() {
        Duration longestTurn = repository.longestCall().multipliedBy(CALLS_PER_TURN);
        try {
            if (lock.tryLock(longestTurn.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnavailable("Interrupted while waiting for another read of " + repository.location(), e);
        }
        Duration retryAfter = Duration.ofSeconds(Math.max(1, (longestTurn.toMillis() + 999) / 1000));
        throw BackendUnavailable.busy("Another read of " + repository.location() + " has not finished within "
                + longestTurn.toMillis() + " ms (two calls of " + repository.longestCall().toMillis()
                + " ms); try again later", retryAfter);
    }

    /** One step's use of the backend: its calls, each as {@link ConfigRepository} describes it. */
    final class Turn implements AutoCloseable {

        private BackendUnavailable unavailable;

        private Turn() {}

        /** {@link ConfigRepository#load()}. */
        Optional<StoredSmtpConfiguration> load() {
            return call(repository::load);
        }

        /** {@link ConfigRepository#currentRevision()}. */
        long currentRevision() {
            return call(repository::currentRevision);
        }

        /** {@link ConfigRepository#save}. */
        long save(SmtpConfiguration configuration, OpaqueFields otherFields, long expectedRevision) {
            return call(() -> repository.save(configuration, otherFields, expectedRevision));
        }

        private <T> T call(Supplier<T> backendCall) {
            try {
                return backendCall.get();
            } catch (BackendUnavailable failure) {
                unavailable = failure;
                throw failure;
            }
        }

        /** Ends the turn; the next step's comes. */
        @Override
        public void close() {
            lastTurnUnavailable = unavailable;
            turnsEnded++;
            lock.unlock();
        }
    }
}
