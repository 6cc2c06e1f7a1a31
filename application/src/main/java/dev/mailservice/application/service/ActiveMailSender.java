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
 * <p>The active transport and the last reload error sit in one immutable state behind one
 * atomic reference, so a reader always sees a consistent pair and a swap is a single step.
 * A send leases the transport it finds; a swap retires the previous transport, which closes
 * once its last lease is returned.
 */
public final class ActiveMailSender implements AutoCloseable {

    private record State(LeasedTransport active, SmtpStatus.ReloadError lastReloadError) {}

    private final AtomicReference<State> state = new AtomicReference<>(new State(null, null));

    /**
     * Makes {@code transport} the active one and clears the last reload error; the previous
     * transport closes after the sends that hold it.
     */
    public void activate(SmtpStatus.Applied applied, MailTransport transport) {
        LeasedTransport next = new LeasedTransport(applied, transport);
        State previous = state.getAndSet(new State(next, null));
        if (previous.active() != null) {
            previous.active().retire();
        }
    }

    /** Remembers a failed reload; the active transport stays as it is. */
    public void recordFailure(SmtpStatus.ReloadError error) {
        state.updateAndGet(current -> new State(current.active(), error));
    }

    /** What is active, and the last reload error. */
    public SmtpStatus status() {
        State current = state.get();
        return new SmtpStatus(
                Optional.ofNullable(current.active()).map(LeasedTransport::applied),
                Optional.ofNullable(current.lastReloadError()));
    }

    /**
     * Sends through the transport active at this moment; a swap during the send does not
     * disturb it.
     *
     * @throws SmtpNotConfiguredException if no configuration is active
     */
    public void send(MailMessage message) {
        while (true) {
            LeasedTransport current = state.get().active();
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
        State previous = state.getAndUpdate(current -> new State(null, current.lastReloadError()));
        if (previous.active() != null) {
            previous.active().retire();
        }
    }
}
