package dev.mailservice.application.service;

import dev.mailservice.application.port.in.SmtpNotConfiguredException;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.domain.MailMessage;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the transport mail is sent with, and swaps it without a restart.
 *
 * <p>The active transport, what it was built from, and the last reload error sit in one
 * immutable state behind one atomic reference, so a reader always sees a consistent whole and
 * a swap is a single step. A send leases the transport it finds; a swap retires the previous
 * transport, which closes once its last lease is returned.
 */
public final class ActiveMailSender implements AutoCloseable {

    private record State(LeasedTransport transport, SmtpStatus.Applied applied, SmtpStatus.ReloadError lastReloadError) {

        static final State EMPTY = new State(null, null, null);
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.EMPTY);

    /**
     * Makes {@code transport} the active one and clears the last reload error; the previous
     * transport closes after the sends that hold it.
     */
    public void activate(SmtpStatus.Applied applied, MailTransport transport) {
        LeasedTransport next = new LeasedTransport(applied.configuration().address(), transport);
        retire(state.getAndSet(new State(next, applied, null)));
    }

    /**
     * Keeps the active transport, notes that the backend still holds its configuration at
     * {@code revision}, and clears the last reload error.
     */
    void confirm(long revision) {
        state.updateAndGet(current -> current.applied() == null
                ? current
                : new State(current.transport(), current.applied().atRevision(revision), null));
    }

    /** Remembers a failed reload; the active transport stays as it is. */
    public void recordFailure(SmtpStatus.ReloadError error) {
        state.updateAndGet(current -> new State(current.transport(), current.applied(), error));
    }

    /** What is active, and the last reload error. */
    public SmtpStatus status() {
        State current = state.get();
        return new SmtpStatus(Optional.ofNullable(current.applied()), Optional.ofNullable(current.lastReloadError()));
    }

    /**
     * Sends through the transport active at this moment; a swap during the send does not
     * disturb it.
     *
     * @throws SmtpNotConfiguredException if no configuration is active
     */
    public void send(MailMessage message) {
        while (true) {
            LeasedTransport current = state.get().transport();
            if (current == null) {
                throw new SmtpNotConfiguredException();
            }
            // A failed lease means a swap retired this transport a moment ago: use the new one.
            if (current.tryAcquire()) {
                try {
                    current.transport().send(message);
                    return;
                } finally {
                    current.release();
                }
            }
        }
    }

    /** Retires the active transport, for shut-down; it closes after the sends under way. */
    @Override
    public void close() {
        retire(state.getAndUpdate(current -> new State(null, null, current.lastReloadError())));
    }

    private static void retire(State previous) {
        if (previous.transport() != null) {
            previous.transport().retire();
        }
    }
}
