package dev.mailservice.application.service;

import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.port.in.GetServiceHealth.BackendContact;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * What this replica's mail sending stands on, as the status and health use cases show it and the
 * log tells it: the applied configuration with the tokens it logs in with, the last reload error,
 * what backs the configuration, the verifications of the active one, and the last contact with the
 * backend.
 *
 * <p>The reload and save use cases write it, holding the backend's turn ({@link BackendTurns}); the
 * verifier writes verifications at any time. The applied configuration, its tokens, the last reload
 * error and the warning about what backs it sit in one immutable state behind one atomic reference,
 * so a reader always sees a consistent whole: never one configuration with another's tokens.
 */
public final class SmtpStatusBoard {

    private static final System.Logger LOG = System.getLogger(SmtpStatusBoard.class.getName());

    /**
     * @param tokens         the tokens {@code applied} logs in with, or null when it logs in with a
     *                       password or none
     * @param backingWarning what is wrong with what backs the active configuration (nothing is
     *                       stored any more), or null
     */
    private record State(SmtpStatus.Applied applied, OAuth2Tokens tokens, SmtpStatus.ReloadError lastReloadError,
            String backingWarning) {

        static final State EMPTY = new State(null, null, null, null);

        State withError(SmtpStatus.ReloadError error, String warning) {
            return new State(applied, tokens, error, warning);
        }
    }

    /** A verification of a configuration; shown while that configuration is the active one. */
    private record Verification(SmtpConfiguration configuration, SmtpStatus.Verified verified) {

        boolean of(SmtpStatus.Applied applied) {
            return applied != null && configuration.equals(applied.configuration());
        }
    }

    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>(State.EMPTY);
    // Two, so that verifying another configuration (on the verify route) does not hide the active
    // one's, and a configuration verified before it is applied shows once it is.
    private final AtomicReference<Verification> lastOfActive = new AtomicReference<>();
    private final AtomicReference<Verification> lastOfAny = new AtomicReference<>();
    private final AtomicReference<BackendContact> lastContact = new AtomicReference<>();

    /** @param clock tells when a configuration was applied, a reload failed, the backend was read */
    public SmtpStatusBoard(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The configuration mail is sent with, if any. */
    Optional<SmtpStatus.Applied> active() {
        return Optional.ofNullable(state.get().applied());
    }

    /**
     * Notes that {@code stored}, read from the backend named {@code source}, is now active, logging
     * in with {@code credentials}, clears the last reload error, and tells the log, with the
     * configuration's warnings.
     */
    void applied(StoredSmtpConfiguration stored, String source, SmtpCredentials credentials) {
        SmtpStatus.Applied applied = new SmtpStatus.Applied(stored.configuration(), clock.instant(), source,
                stored.revision());
        Verification verifiedBefore = lastOfAny.get();
        if (verifiedBefore != null && verifiedBefore.of(applied)) {
            lastOfActive.set(verifiedBefore);
        }
        OAuth2Tokens tokens = credentials instanceof OAuth2Tokens oauth2 ? oauth2 : null;
        state.set(new State(applied, tokens, null, null));
        LOG.log(Level.INFO, "Applied the SMTP configuration from {0}{1}: server {2}, sending as {3}", source,
                stored.revision() == StoredSmtpConfiguration.UNVERSIONED ? "" : " (revision " + stored.revision() + ")",
                stored.configuration().address(), stored.configuration().fromEmail());
        stored.configuration().warnings().forEach(warning -> LOG.log(Level.WARNING, warning));
    }

    /**
     * When {@code stored} is the active configuration, notes that the backend still holds it, at
     * its revision, and clears the last reload error: the active transport stays.
     *
     * @return whether it is the active configuration
     */
    boolean confirmIfActive(StoredSmtpConfiguration stored) {
        State after = state.updateAndGet(current -> isOf(current, stored)
                ? new State(current.applied().atRevision(stored.revision()), current.tokens(), null, null)
                : current);
        return isOf(after, stored);
    }

    private static boolean isOf(State state, StoredSmtpConfiguration stored) {
        return state.applied() != null && state.applied().configuration().equals(stored.configuration());
    }

    /**
     * Notes a reload that found nothing stored in {@code location}: no failure, so the last reload
     * error is cleared; a configuration still active stays, with a warning that nothing backs it.
     */
    void nothingStored(String location) {
        State before = state.getAndUpdate(current -> current.withError(null, current.applied() == null
                ? null
                : "Nothing is stored in " + location + "; the configuration applied at " + current.applied().appliedAt()
                        + " stays active"));
        LOG.log(Level.INFO, "Nothing is stored in {0}{1}", location,
                before.applied() != null ? "; the active configuration stays" : "");
    }

    /**
     * Why no configuration is active, for a send to be refused with: the last reload error when
     * there is one, since a configuration that failed to load is the likeliest reason.
     */
    NotConfigured notConfigured() {
        SmtpStatus.ReloadError error = state.get().lastReloadError();
        return error == null ? new NotConfigured() : new NotConfigured(error.at(), error.message());
    }

    /** Records {@code failure} as the last reload error, tells the log, and hands it back to be thrown. */
    <F extends RuntimeException> F reloadFailed(F failure) {
        String reason = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
        state.updateAndGet(current -> current.withError(new SmtpStatus.ReloadError(clock.instant(), reason),
                current.backingWarning()));
        LOG.log(Level.WARNING, "Reloading the SMTP configuration failed; the active one stays: {0}", reason);
        return failure;
    }

    /**
     * Notes how a verification of {@code configuration} ended; the status shows it while that
     * configuration is active, including when it becomes active later.
     */
    void verified(SmtpConfiguration configuration, boolean ok, Optional<String> failedStep) {
        Verification verification = new Verification(configuration,
                new SmtpStatus.Verified(clock.instant(), ok, failedStep));
        lastOfAny.set(verification);
        if (verification.of(state.get().applied())) {
            lastOfActive.set(verification);
        }
    }

    /** Notes that a reload or save (a read, or a read and a write) reached the backend named {@code source}, or not. */
    void backendRead(String source, boolean reachable) {
        lastContact.set(new BackendContact(source, reachable, clock.instant()));
    }

    /** The last reload's or save's contact with the backend; empty before the first. */
    Optional<BackendContact> lastBackendContact() {
        return Optional.ofNullable(lastContact.get());
    }

    /**
     * What is active, with its tokens' state, the last reload error, when the active configuration
     * was verified, and what an operator should know.
     */
    SmtpStatus status() {
        State current = state.get();
        List<String> warnings = new ArrayList<>();
        if (current.applied() != null) {
            warnings.addAll(current.applied().configuration().warnings());
        }
        if (current.backingWarning() != null) {
            warnings.add(current.backingWarning());
        }
        return new SmtpStatus(Optional.ofNullable(current.applied()), Optional.ofNullable(current.lastReloadError()),
                warnings, lastVerified(current.applied()), Optional.ofNullable(current.tokens()).map(OAuth2Tokens::state));
    }

    /** The later of the verifications of {@code applied}'s configuration that are kept. */
    private Optional<SmtpStatus.Verified> lastVerified(SmtpStatus.Applied applied) {
        return Stream.of(lastOfAny.get(), lastOfActive.get())
                .filter(verification -> verification != null && verification.of(applied))
                .map(Verification::verified)
                .findFirst();
    }
}
