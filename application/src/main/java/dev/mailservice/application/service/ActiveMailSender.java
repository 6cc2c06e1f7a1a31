package dev.mailservice.application.service;

import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Holds the transport mail is sent with, and swaps it without a restart.
 *
 * <p>The active transport, what it was built from, and the last reload error sit in one
 * immutable state behind one atomic reference, so a reader always sees a consistent whole and
 * a swap is a single step. A send leases the transport it finds; a swap retires the previous
 * transport, which closes once its last lease is returned.
 */
public final class ActiveMailSender implements AutoCloseable {

    /**
     * @param backingWarning what is wrong with what backs the active configuration (nothing is
     *                       stored any more), or null
     */
    private record State(LeasedTransport transport, SmtpStatus.Applied applied, SmtpStatus.ReloadError lastReloadError,
            String backingWarning) {

        static final State EMPTY = new State(null, null, null, null);
    }

    /** A verification of a configuration; shown while that configuration is the active one. */
    private record Verification(SmtpConfiguration configuration, SmtpStatus.Verified verified) {

        boolean of(SmtpStatus.Applied applied) {
            return applied != null && configuration.equals(applied.configuration());
        }
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.EMPTY);
    // Two, so that verifying another configuration (on the verify route) does not hide the active
    // one's, and a configuration verified before it is applied shows once it is.
    private final AtomicReference<Verification> lastOfActive = new AtomicReference<>();
    private final AtomicReference<Verification> lastOfAny = new AtomicReference<>();

    /**
     * Makes {@code transport} the active one and clears the last reload error; the previous
     * transport closes after the sends that hold it.
     */
    void activate(SmtpStatus.Applied applied, MailTransport transport) {
        LeasedTransport next = new LeasedTransport(applied.configuration().address(), transport);
        Verification verifiedBefore = lastOfAny.get();
        if (verifiedBefore != null && verifiedBefore.of(applied)) {
            lastOfActive.set(verifiedBefore);
        }
        retire(state.getAndSet(new State(next, applied, null, null)));
    }

    /**
     * Keeps the active transport, notes that the backend still holds its configuration at
     * {@code revision}, and clears the last reload error.
     */
    void confirm(long revision) {
        state.updateAndGet(current -> current.applied() == null
                ? current
                : new State(current.transport(), current.applied().atRevision(revision), null, null));
    }

    /**
     * Notes a reload that found nothing stored in {@code location}: no failure, so the last reload
     * error is cleared; a configuration still active stays, with a warning that nothing backs it.
     */
    void nothingStored(String location) {
        state.updateAndGet(current -> new State(current.transport(), current.applied(), null,
                current.applied() == null ? null : "Nothing is stored in " + location + "; the configuration applied at "
                        + current.applied().appliedAt() + " stays active"));
    }

    /** Remembers a failed reload; the active transport stays as it is. */
    void recordFailure(SmtpStatus.ReloadError error) {
        state.updateAndGet(current -> new State(current.transport(), current.applied(), error, current.backingWarning()));
    }

    /**
     * Notes how a verification of {@code configuration} ended; the status shows it while that
     * configuration is active, including when it becomes active later.
     */
    void verified(SmtpConfiguration configuration, SmtpStatus.Verified verified) {
        Verification verification = new Verification(configuration, verified);
        lastOfAny.set(verification);
        if (verification.of(state.get().applied())) {
            lastOfActive.set(verification);
        }
    }

    /** What is active, the last reload error, when the active configuration was verified, and what an operator should know. */
    public SmtpStatus status() {
        State current = state.get();
        List<String> warnings = new ArrayList<>();
        if (current.applied() != null) {
            warnings.addAll(current.applied().configuration().warnings());
        }
        if (current.backingWarning() != null) {
            warnings.add(current.backingWarning());
        }
        return new SmtpStatus(Optional.ofNullable(current.applied()), Optional.ofNullable(current.lastReloadError()),
                warnings, lastVerified(current.applied()));
    }

    /** The later of the verifications of {@code applied}'s configuration that are kept. */
    private Optional<SmtpStatus.Verified> lastVerified(SmtpStatus.Applied applied) {
        return Stream.of(lastOfAny.get(), lastOfActive.get())
                .filter(verification -> verification != null && verification.of(applied))
                .map(Verification::verified)
                .findFirst();
    }

    /**
     * Sends the message {@code composer} makes through the transport active at this moment,
     * which calls it once a connection is ready ({@link MailTransport#send}); a swap during the
     * send does not disturb it.
     *
     * @return how the mail went out
     * @throws NotConfigured if no configuration is active
     */
    public MailTransport.Sent send(Supplier<MailMessage> composer) {
        while (true) {
            LeasedTransport current = state.get().transport();
            if (current == null) {
                throw new NotConfigured();
            }
            // A failed lease means a swap retired this transport a moment ago: use the new one. A
            // lease taken is held through every attempt of the send, so that a send tried again
            // after a swap goes on with the configuration it started with, on connections still open.
            if (current.tryAcquire()) {
                try {
                    return current.transport().send(composer);
                } finally {
                    current.release();
                }
            }
        }
    }

    /** Retires the active transport, for shut-down; it closes after the sends under way. */
    @Override
    public void close() {
        retire(state.getAndUpdate(current -> new State(null, null, current.lastReloadError(), null)));
    }

    private static void retire(State previous) {
        if (previous.transport() != null) {
            previous.transport().retire();
        }
    }
}
