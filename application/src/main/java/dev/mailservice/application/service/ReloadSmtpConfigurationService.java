package dev.mailservice.application.service;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.ServiceMetrics.ReloadOutcome;
import dev.mailservice.application.port.out.ServiceMetrics.VerificationTrigger;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Implements {@link ReloadSmtpConfiguration} in its four steps ({@link #readVerifyBuildSwapIn}):
 * read what the {@link ConfigRepository} holds, verify it against its server when verification on
 * apply is on, build a transport for it with the {@link MailTransportFactory}, and swap that in.
 *
 * <p>The steps run in the backend's turn ({@link BackendTurns}), so a reload or save of this
 * replica never comes in between. Verification talks to the server for seconds, so it runs before
 * the turn is taken, on what is stored then; if the turn reads another configuration (stored
 * meanwhile), that one is verified in its turn, a few times at most.
 *
 * <p>A value read at an older revision than the active one is read once more: reads are serialised
 * by the turns and the backends read linearisably, so it answered late. If the backend still holds
 * the older revision, its history went back (restored from a backup, say), and what it holds now is
 * the truth. A configuration equal to the active one keeps its transport, so re-reading an
 * unchanged value disturbs no send.
 *
 * <p>Every reload that had its turn is counted and notes whether it reached the backend; every
 * failure is recorded as the last reload error and logged, and leaves the active configuration as
 * it was. A reload refused its turn reads, records and counts nothing.
 */
public final class ReloadSmtpConfigurationService implements ReloadSmtpConfiguration {

    private static final System.Logger LOG = System.getLogger(ReloadSmtpConfigurationService.class.getName());

    /** How many configurations a reload verifies when each is replaced while it is verified. */
    static final int VERIFY_ATTEMPTS = 3;
    /**
     * How long after a failed verification on apply a change announced with another refresh token
     * alone is taken for that verification's own store-back, or another replica's: the seconds those
     * take, with room. A new refresh token an operator stores later is verified.
     */
    static final Duration STORE_BACK_ECHO = Duration.ofMinutes(1);

    private final ConfigRepository repository;
    private final BackendTurns turns;
    private final MailTransportFactory transportFactory;
    private final SmtpLogins logins;
    private final ActiveMailSender sender;
    private final SmtpStatusBoard board;
    private final ServiceMetrics metrics;
    private final Optional<SmtpVerifier> verifyOnApply;
    private final Clock clock;
    /** The last verification on apply, when it failed past its token step; null otherwise. */
    private volatile FailedVerification lastFailedVerification;

    /** How one reload in the backend's turn ended. */
    private sealed interface Reload {

        /** It ended as {@code outcome}; {@code configuration} is the one stored, now active. */
        record Ended(ReloadOutcome outcome, Optional<SmtpConfiguration> configuration) implements Reload {}

        /** It failed as {@code outcome}; the active configuration stays. */
        record Failed(ReloadOutcome outcome, ServiceFailure failure) implements Reload {}

        /** Another configuration was stored than the one verified ahead of the turn: it is verified next. */
        record StoredWhileVerifying() implements Reload {}
    }

    /**
     * @param verifyOnApply when present, a stored configuration other than the active one becomes
     *                      active only once it passes this verification through AUTH
     * @param clock         what tells how long ago a verification failed ({@link #STORE_BACK_ECHO})
     */
    public ReloadSmtpConfigurationService(ConfigRepository repository, BackendTurns turns,
            MailTransportFactory transportFactory, SmtpLogins logins, ActiveMailSender sender, SmtpStatusBoard board,
            ServiceMetrics metrics, Optional<SmtpVerifier> verifyOnApply, Clock clock) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.turns = Objects.requireNonNull(turns, "turns");
        this.transportFactory = Objects.requireNonNull(transportFactory, "transportFactory");
        this.logins = Objects.requireNonNull(logins, "logins");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.board = Objects.requireNonNull(board, "board");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.verifyOnApply = Objects.requireNonNull(verifyOnApply, "verifyOnApply");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Optional<SmtpConfiguration> reload() {
        return reload(false);
    }

    @Override
    public Optional<SmtpConfiguration> reloadAfterChange() {
        return reload(true);
    }

    private Optional<SmtpConfiguration> reload(boolean afterChange) {
        for (int attempt = 1; ; attempt++) {
            Optional<Verified> verifiedAhead = verifyOnApply.isPresent() ? verifyWhatIsStored(afterChange)
                    : Optional.empty();
            Reload reload;
            try (BackendTurns.Turn turn = turns.take()) {
                long started = System.nanoTime();
                try {
                    reload = readVerifyBuildSwapIn(turn, verifiedAhead, attempt == VERIFY_ATTEMPTS);
                } catch (RuntimeException unexpected) {
                    // A bug, not a failure of a port: counted as an invalid reload, and thrown as it is.
                    metrics.reloadFinished(repository.backendName(), ReloadOutcome.INVALID,
                            Duration.ofNanos(System.nanoTime() - started));
                    throw unexpected;
                }
                record(reload, Duration.ofNanos(System.nanoTime() - started));
            }
            switch (reload) {
                case Reload.Ended ended -> {
                    return ended.configuration();
                }
                case Reload.Failed failed -> throw failed.failure();
                case Reload.StoredWhileVerifying changed -> { } // verified again, in the next attempt
            }
        }
    }

    /**
     * The use case's four steps, in the backend's {@code turn}.
     *
     * @param lastAttempt whether a configuration stored while it was verified ends the reload
     */
    private Reload readVerifyBuildSwapIn(BackendTurns.Turn turn, Optional<Verified> verifiedAhead, boolean lastAttempt) {
        try {
            // 1. Read what the backend holds.
            Optional<StoredSmtpConfiguration> read = readNewerThanActive(turn);
            if (read.isEmpty()) {
                board.nothingStored(repository.location());
                return new Reload.Ended(ReloadOutcome.NOTHING_STORED, Optional.empty());
            }
            StoredSmtpConfiguration stored = read.get();
            if (board.confirmIfActive(stored)) {
                return new Reload.Ended(ReloadOutcome.UNCHANGED, Optional.of(stored.configuration()));
            }
            // 2. Verify it against its server, when verification on apply is on (done ahead of the turn).
            if (verifyOnApply.isPresent() && !onlyRefreshTokenChanged(stored.configuration())) {
                Optional<SmtpVerification> report = verifiedAhead
                        .filter(verified -> logins.sameOnceRotated(verified.configuration(), stored.configuration()))
                        .map(Verified::report);
                if (report.isEmpty()) {
                    return lastAttempt ? new Reload.Failed(ReloadOutcome.CHANGED_WHILE_VERIFIED, new WriteConflict(
                            "The stored SMTP configuration changed each time it was verified (" + VERIFY_ATTEMPTS
                                    + " times); the active one stays"))
                            : new Reload.StoredWhileVerifying();
                }
                if (!report.get().ok()) {
                    return new Reload.Failed(ReloadOutcome.VERIFICATION_FAILED, new InvalidInput(null,
                            report.get().failure()));
                }
            }
            // 3. Build a transport for it.
            SmtpCredentials credentials = logins.forApplied(stored.configuration());
            MailTransport transport = transportFactory.create(stored.configuration(), credentials);
            // 4. Swap it in: mail goes out with it, then the status shows it (both only ever written in a turn).
            sender.swapIn(stored.configuration(), transport);
            logins.applied(credentials);
            board.applied(stored, repository.backendName(), credentials);
            lastFailedVerification = null;
            return new Reload.Ended(ReloadOutcome.APPLIED, Optional.of(stored.configuration()));
        } catch (BackendUnavailable unreachable) {
            return new Reload.Failed(ReloadOutcome.BACKEND_UNAVAILABLE, unreachable);
        } catch (ServiceFailure invalid) {
            return new Reload.Failed(ReloadOutcome.INVALID, invalid);
        }
    }

    /** Notes whether the reload reached the backend, counts how it ended, and records a failure. */
    private void record(Reload reload, Duration took) {
        String source = repository.backendName();
        switch (reload) {
            case Reload.Ended ended -> {
                board.backendRead(source, true);
                metrics.reloadFinished(source, ended.outcome(), took);
            }
            case Reload.Failed failed -> {
                board.backendRead(source, failed.outcome() != ReloadOutcome.BACKEND_UNAVAILABLE);
                metrics.reloadFinished(source, failed.outcome(), took);
                board.reloadFailed(failed.failure());
            }
            // Not an end: verified, then read again.
            case Reload.StoredWhileVerifying changed -> board.backendRead(source, true);
        }
    }

    private Optional<StoredSmtpConfiguration> readNewerThanActive(BackendTurns.Turn turn) {
        long activeRevision = board.active().map(SmtpStatus.Applied::revision)
                .orElse(StoredSmtpConfiguration.UNVERSIONED);
        Optional<StoredSmtpConfiguration> stored = turn.load();
        if (stored.isEmpty() || stored.get().revision() >= activeRevision) {
            return stored;
        }
        Optional<StoredSmtpConfiguration> again = turn.load();
        if (again.isPresent() && again.get().revision() < activeRevision) {
            LOG.log(Level.WARNING, "The revision in {0} went back from {1,number,#} to {2,number,#}; applying what it holds now",
                    repository.location(), activeRevision, again.get().revision());
        }
        return again;
    }

    /**
     * Whether {@code stored} is the active configuration with a refresh token the endpoint gave since
     * (stored back by this replica or another): the same login, not verified again, since verifying
     * asks the endpoint, which gives yet another refresh token, stored back, and so on for ever.
     */
    private boolean onlyRefreshTokenChanged(SmtpConfiguration stored) {
        return board.active().map(SmtpStatus.Applied::configuration)
                .filter(active -> active.differsOnlyInRefreshToken(stored)).isPresent();
    }

    /** A verification made ahead of the turn. */
    private record Verified(SmtpConfiguration configuration, SmtpVerification report) {}

    /** A verification on apply that failed past its token step, and when. */
    private record FailedVerification(Verified verified, Instant at) {}

    /**
     * Verifies what is stored now, unless it is nothing or the active configuration, or, after a
     * change, the configuration that failed verification a moment ago with another refresh token at
     * most ({@link ReloadSmtpConfiguration#reloadAfterChange()}). A backend that cannot be reached ends the
     * reload here: reading again in the turn would pay its timeout twice. One that answers something
     * unreadable is read again in the turn, where the failure is recorded.
     */
    private Optional<Verified> verifyWhatIsStored(boolean afterChange) {
        long turnsEndedBefore = turns.ended();
        Optional<SmtpConfiguration> stored;
        try {
            stored = repository.load().map(StoredSmtpConfiguration::configuration);
        } catch (BackendUnavailable failure) {
            // Read outside a turn: a reload or save that ended meanwhile, or is under way, read later, and its
            // outcome stands.
            turns.recordUnlessOvertaken(turnsEndedBefore, () -> {
                board.backendRead(repository.backendName(), false);
                metrics.reloadFinished(repository.backendName(), ReloadOutcome.BACKEND_UNAVAILABLE, Duration.ZERO);
                board.reloadFailed(failure);
            });
            throw failure;
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
        if (stored.isEmpty() || stored.equals(board.active().map(SmtpStatus.Applied::configuration))
                || onlyRefreshTokenChanged(stored.get())) {
            return Optional.empty();
        }
        FailedVerification failedBefore = lastFailedVerification;
        if (afterChange && failedBefore != null && clock.instant().isBefore(failedBefore.at().plus(STORE_BACK_ECHO))
                && failedBefore.verified().configuration().differsOnlyInRefreshToken(stored.get())) {
            return Optional.of(new Verified(stored.get(), failedBefore.verified().report()));
        }
        Verified verified = new Verified(stored.get(),
                verifyOnApply.orElseThrow().verify(stored.get(), Optional.empty(), VerificationTrigger.APPLY));
        // Only a token step that passed can have been given a new refresh token to store back; after one
        // that failed, a new refresh token is what an operator stores to mend it.
        boolean pastTheToken = verified.report().failed().filter(step -> step.step() != SmtpStep.TOKEN).isPresent();
        lastFailedVerification = pastTheToken ? new FailedVerification(verified, clock.instant()) : null;
        return Optional.of(verified);
    }
}
