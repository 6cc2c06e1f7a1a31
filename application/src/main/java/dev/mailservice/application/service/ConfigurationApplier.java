package dev.mailservice.application.service;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.GetServiceHealth.BackendContact;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.ServiceMetrics.ReloadOutcome;
import dev.mailservice.application.port.out.ServiceMetrics.VerificationTrigger;
import dev.mailservice.domain.InvalidInputException;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place where a stored configuration becomes the active one, shared by the reload and
 * the save use cases.
 *
 * <p>With verification on apply, a reloaded configuration must pass it against its server before it
 * replaces the active one (a save verifies before it stores). Verification talks to the server for
 * seconds, so it runs before the lock is taken ({@link #verifyingAhead}).
 *
 * <p>They run their whole step (read, or read and write, then apply) holding one lock, so two of
 * them (an HTTP call and a watch event, say) never interleave and the later one applies what it
 * read last. A value at an older revision than the active one never replaces it, and one equal to
 * the active one keeps its transport, so re-reading an unchanged value disturbs no send. Sends
 * never take the lock. See docs/architecture.md for the story.
 *
 * <p>A step waits for the lock no longer than the two calls of its backend a step makes at most may
 * take ({@link ConfigRepository#longestCall()}), then answers {@link BackendUnavailable} with a time to
 * try again after: a slow step (a read stalled on an unreachable backend) cannot
 * hold every other one without bound. A step that waited for one that met the backend unavailable
 * answers that same failure without calling the backend: that call ended while it waited, so its
 * own would most likely meet the same, and making it anyway would pay the backend's timeout twice,
 * once waiting and once calling (an HTTP reload asked while a watch event's read stalls on a lost
 * etcd cluster would answer after twice the dial timeout). A step that gives up reads, writes,
 * applies and records nothing; the step it waited for records its own outcome. The steps that run
 * still run one at a time, in the order they take the lock, so the guarantees above hold.
 */
public final class ConfigurationApplier {

    private static final System.Logger LOG = System.getLogger(ConfigurationApplier.class.getName());

    /** The most calls of its backend one step makes. */
    private static final int CALLS_PER_STEP = 2;

    /** How many configurations a reload verifies when each is replaced while it is verified. */
    private static final int VERIFY_ATTEMPTS = 3;

    private final MailTransportFactory transportFactory;
    private final ActiveMailSender sender;
    private final Clock clock;
    private final ServiceMetrics metrics;
    private final BackendContacts contacts;
    private final Optional<SmtpVerifier> verifyOnApply;
    /** The last verification made ahead of the lock, until the reload that made it ends. */
    private final AtomicReference<VerifiedAhead> verifiedAhead = new AtomicReference<>();
    // Held once per step: the steps never call back into the applier while holding it.
    private final ReentrantLock lock = new ReentrantLock();
    // Written holding the lock; read before taking it, to tell the steps that end while one waits.
    private volatile long stepsFinished;
    // Guarded by the lock: what the last step that finished met, when the backend was unavailable.
    private BackendUnavailable lastStepUnavailable;

    /**
     * @param metrics       told how each reload ended and how long it took
     * @param contacts      told whether each reload reached the backend
     * @param verifyOnApply when present, a reloaded configuration other than the active one becomes
     *                      active only once it passes this verification through AUTH
     */
    public ConfigurationApplier(MailTransportFactory transportFactory, ActiveMailSender sender, Clock clock,
            ServiceMetrics metrics, BackendContacts contacts, Optional<SmtpVerifier> verifyOnApply) {
        this.verifyOnApply = Objects.requireNonNull(verifyOnApply, "verifyOnApply");
        this.transportFactory = Objects.requireNonNull(transportFactory, "transportFactory");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.contacts = Objects.requireNonNull(contacts, "contacts");
    }

    /**
     * Runs {@code step}, which calls {@code repository}, holding the lock; it is given the
     * configuration active when it starts.
     *
     * @throws BackendUnavailable without running {@code step}: busy, with a time to try again after,
     *                            when the lock did not come free within two calls of
     *                            {@code repository}; the same as the step it waited for, when that
     *                            step met the backend unavailable
     */
    <T> T exclusively(ConfigRepository repository, Function<Optional<SmtpStatus.Applied>, T> step) {
        long finishedBefore = stepsFinished;
        acquire(repository);
        try {
            if (stepsFinished != finishedBefore && lastStepUnavailable != null) {
                throw new BackendUnavailable(lastStepUnavailable.getMessage(), lastStepUnavailable);
            }
            BackendUnavailable unavailable = null;
            try {
                return step.apply(sender.status().active());
            } catch (BackendUnavailable failure) {
                unavailable = failure;
                throw failure;
            } finally {
                lastStepUnavailable = unavailable;
                stepsFinished++;
            }
        } finally {
            lock.unlock();
        }
    }

    private void acquire(ConfigRepository repository) {
        // A step makes two calls at most (a save reads the revision, then writes; a reload whose
        // revision went back reads twice): by then the step under way has ended, or met the
        // backend's own timeout.
        Duration longestStep = repository.longestCall().multipliedBy(CALLS_PER_STEP);
        try {
            if (lock.tryLock(longestStep.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendUnavailable("Interrupted while waiting for another read of " + repository.location(), e);
        }
        Duration retryAfter = Duration.ofSeconds(Math.max(1, (longestStep.toMillis() + 999) / 1000));
        throw BackendUnavailable.busy("Another read of " + repository.location() + " has not finished within "
                + longestStep.toMillis() + " ms (two calls of " + repository.longestCall().toMillis()
                + " ms); try again later", retryAfter);
    }

    /**
     * Runs {@code reload}, a {@link #reloadFrom} under the lock, after verifying what {@code
     * repository} holds when verification on apply is on. If another configuration was stored
     * meanwhile, that one is verified in turn, a few times at most.
     */
    <T> T verifyingAhead(ConfigRepository repository, Supplier<T> reload) {
        if (verifyOnApply.isEmpty()) {
            return reload.get();
        }
        for (int attempt = 1; ; attempt++) {
            Optional<VerifiedAhead> verified = verifyAhead(repository);
            try {
                return reload.get();
            } catch (StoredWhileVerifying changed) {
                if (attempt == VERIFY_ATTEMPTS) {
                    throw recordFailure(new WriteConflict("The stored SMTP configuration changed each time it was "
                            + "verified (" + VERIFY_ATTEMPTS + " times); the active one stays"));
                }
            } finally {
                // A verification outlives no reload: a later one verifies afresh.
                verified.ifPresent(mine -> verifiedAhead.compareAndSet(mine, null));
            }
        }
    }

    private Optional<VerifiedAhead> verifyAhead(ConfigRepository repository) {
        Optional<SmtpConfiguration> stored;
        try {
            stored = repository.load().map(StoredSmtpConfiguration::configuration);
        } catch (BackendUnavailable failure) {
            // Reading again under the lock would pay the backend's timeout a second time.
            contacts.record(new BackendContact(repository.sourceName(), false, clock.instant()));
            metrics.reloadFinished(repository.sourceName(), ReloadOutcome.BACKEND_UNAVAILABLE, Duration.ZERO);
            throw recordFailure(failure);
        } catch (RuntimeException unreadable) {
            return Optional.empty(); // read again under the lock, where the failure is recorded
        }
        if (stored.isEmpty() || stored.equals(sender.status().active().map(SmtpStatus.Applied::configuration))) {
            return Optional.empty();
        }
        VerifiedAhead verified = new VerifiedAhead(stored.get(), verifyOnApply.orElseThrow().verify(stored.get(),
                Optional.empty(), VerificationTrigger.APPLY));
        verifiedAhead.set(verified);
        return Optional.of(verified);
    }

    /** A verification made before the lock was taken. */
    private record VerifiedAhead(SmtpConfiguration configuration, SmtpVerification report) {}

    /** Ends a reload whose configuration was stored after the verification ahead of it; it is verified next. */
    private static final class StoredWhileVerifying extends RuntimeException {

        private static final long serialVersionUID = 1L;

        StoredWhileVerifying() {
            super(null, null, false, false);
        }
    }

    /**
     * Reads what {@code repository} holds and makes it the active configuration; nothing stored
     * leaves the active one as it is, with a warning. Every failure is recorded as the last reload
     * error.
     *
     * <p>A read answered at an older revision than the active one is read once more: reads are
     * serialised by the lock and the backends read linearisably, so it answered late. If the
     * backend still holds the older revision, its history went back (restored from a backup, say),
     * and what it holds now is the truth.
     *
     * <p>With verification on apply it runs inside {@link #verifyingAhead}, and applies only a
     * configuration verified there.
     *
     * @return the configuration stored and now active; empty when nothing is stored
     */
    Optional<SmtpConfiguration> reloadFrom(ConfigRepository repository, Optional<SmtpStatus.Applied> active) {
        requireLock();
        String source = repository.sourceName();
        long started = System.nanoTime();
        ReloadOutcome outcome = ReloadOutcome.INVALID;
        try {
            Optional<StoredSmtpConfiguration> stored;
            try {
                stored = readNewerThan(repository, active.map(SmtpStatus.Applied::revision)
                        .orElse(StoredSmtpConfiguration.UNVERSIONED));
            } catch (InvalidInputException refusal) {
                contacts.record(new BackendContact(source, true, clock.instant()));
                throw recordFailure(InvalidInput.of(refusal));
            } catch (BackendUnavailable failure) {
                contacts.record(new BackendContact(source, false, clock.instant()));
                outcome = ReloadOutcome.BACKEND_UNAVAILABLE;
                throw recordFailure(failure);
            } catch (ServiceFailure failure) {
                throw recordFailure(failure);
            }
            contacts.record(new BackendContact(source, true, clock.instant()));
            if (stored.isEmpty()) {
                sender.nothingStored(repository.location());
                LOG.log(Level.INFO, "Nothing is stored in {0}{1}", repository.location(),
                        active.isPresent() ? "; the active configuration stays" : "");
                outcome = ReloadOutcome.NOTHING_STORED;
                return Optional.empty();
            }
            boolean unchanged = isActive(stored.get(), active);
            if (!unchanged && verifyOnApply.isPresent()) {
                VerifiedAhead verified = verifiedAhead.get();
                if (verified == null || !verified.configuration().equals(stored.get().configuration())) {
                    outcome = null; // not a reload's end: verified, then tried again
                    throw new StoredWhileVerifying();
                }
                SmtpVerification report = verified.report();
                if (!report.ok()) {
                    outcome = ReloadOutcome.VERIFICATION_FAILED;
                    throw recordFailure(new InvalidInput(null, report.failure()));
                }
            }
            SmtpConfiguration applied = swapIn(stored.get(), source, active);
            outcome = unchanged ? ReloadOutcome.UNCHANGED : ReloadOutcome.APPLIED;
            return Optional.of(applied);
        } finally {
            if (outcome != null) {
                metrics.reloadFinished(source, outcome, Duration.ofNanos(System.nanoTime() - started));
            }
        }
    }

    /**
     * Makes {@code written}, just stored in the backend named {@code source}, the active
     * configuration, unless a newer revision is active already (applied meanwhile through the watch).
     *
     * @return the configuration now active
     */
    SmtpConfiguration applyWritten(StoredSmtpConfiguration written, String source, Optional<SmtpStatus.Applied> active) {
        requireLock();
        return active.isPresent() && written.revision() < active.get().revision()
                ? active.get().configuration()
                : swapIn(written, source, active);
    }

    /**
     * Makes {@code stored} active; an unchanged configuration keeps its transport. A transport that
     * cannot be built is recorded as the last reload error, and the active configuration stays.
     */
    private SmtpConfiguration swapIn(StoredSmtpConfiguration stored, String source, Optional<SmtpStatus.Applied> active) {
        if (isActive(stored, active)) {
            sender.confirm(stored.revision());
            return stored.configuration();
        }
        MailTransport transport;
        try {
            transport = transportFactory.create(stored.configuration());
        } catch (InvalidInputException refusal) {
            throw recordFailure(InvalidInput.of(refusal));
        }
        sender.activate(new SmtpStatus.Applied(stored.configuration(), clock.instant(), source, stored.revision()),
                transport);
        LOG.log(Level.INFO, "Applied the SMTP configuration from {0}{1}: server {2}, sending as {3}", source,
                stored.revision() == StoredSmtpConfiguration.UNVERSIONED ? "" : " (revision " + stored.revision() + ")",
                stored.configuration().address(), stored.configuration().fromEmail());
        stored.configuration().warnings().forEach(warning -> LOG.log(Level.WARNING, warning));
        return stored.configuration();
    }

    private static boolean isActive(StoredSmtpConfiguration stored, Optional<SmtpStatus.Applied> active) {
        return active.isPresent() && active.get().configuration().equals(stored.configuration());
    }

    private static Optional<StoredSmtpConfiguration> readNewerThan(ConfigRepository repository, long activeRevision) {
        Optional<StoredSmtpConfiguration> stored = repository.load();
        if (stored.isEmpty() || stored.get().revision() >= activeRevision) {
            return stored;
        }
        Optional<StoredSmtpConfiguration> again = repository.load();
        if (again.isPresent() && again.get().revision() < activeRevision) {
            LOG.log(Level.WARNING, "The revision in {0} went back from {1,number,#} to {2,number,#}; applying what it holds now",
                    repository.location(), activeRevision, again.get().revision());
        }
        return again;
    }

    /** Records {@code failure} as the last reload error, logs it, and hands it back to be thrown. */
    private <F extends RuntimeException> F recordFailure(F failure) {
        String reason = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
        sender.recordFailure(new SmtpStatus.ReloadError(clock.instant(), reason));
        LOG.log(Level.WARNING, "Reloading the SMTP configuration failed; the active one stays: {0}", reason);
        return failure;
    }

    private void requireLock() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("configurations are applied within exclusively(...)");
        }
    }
}
