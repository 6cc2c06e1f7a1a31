package dev.mailservice.application.service;

import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Holds the transport mail is sent with, and swaps it without a restart.
 *
 * <p>A send leases the transport it finds; a swap is one atomic step that retires the previous
 * transport, which closes once its last lease is returned. What the transport was built from is
 * on the {@link SmtpStatusBoard}.
 */
public final class ActiveMailSender implements AutoCloseable {

    private final AtomicReference<LeasedTransport> active = new AtomicReference<>();
    private final SmtpStatusBoard board;
    /** Set by {@link #close}; swaps and close take the lock, so that none lands after it. */
    private boolean closed;

    /** @param board says why nothing is active, when a send finds nothing */
    public ActiveMailSender(SmtpStatusBoard board) {
        this.board = Objects.requireNonNull(board, "board");
    }

    /**
     * Makes {@code transport}, built for {@code configuration}, the one mail is sent with; the previous
     * one closes after the sends that hold it. Once this sender is closed, {@code transport} is closed
     * at once instead: a reload that outlived the stop's wait for it must not leave a pool open.
     */
    synchronized void swapIn(SmtpConfiguration configuration, MailTransport transport) {
        if (closed) {
            transport.close();
            return;
        }
        retire(active.getAndSet(new LeasedTransport(configuration.address(), transport)));
    }

    /**
     * Sends the message {@code composer} makes through the transport active at this moment,
     * which calls it once a connection is ready ({@link MailTransport#send}); a swap during the
     * send does not disturb it.
     *
     * @return how the mail went out
     * @throws NotConfigured if no configuration is active, naming the last reload error when there is one
     */
    MailTransport.Sent send(Supplier<MailMessage> composer) {
        while (true) {
            LeasedTransport current = active.get();
            if (current == null) {
                throw board.notConfigured();
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
    public synchronized void close() {
        closed = true;
        retire(active.getAndSet(null));
    }

    private static void retire(LeasedTransport previous) {
        if (previous != null) {
            previous.retire();
        }
    }
}
