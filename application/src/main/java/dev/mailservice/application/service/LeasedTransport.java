package dev.mailservice.application.service;

import dev.mailservice.application.port.out.MailTransport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transport with a count of the sends that hold it, so that it is closed only after the last
 * of them ends, and never while one is under way.
 *
 * <p>One integer carries both the count and a "retired" bit, so that "no new lease once
 * retired" and "close when the count drops to zero" are decided by the same atomic step: a send
 * cannot slip in between the check and the close.
 */
final class LeasedTransport {

    private static final System.Logger LOG = System.getLogger(LeasedTransport.class.getName());
    private static final int RETIRED = 1 << 30;

    private final String server;
    private final MailTransport transport;
    private final AtomicInteger leases = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param server    the SMTP server the transport sends to, for log lines
     * @param transport the transport
     */
    LeasedTransport(String server, MailTransport transport) {
        this.server = server;
        this.transport = transport;
    }

    MailTransport transport() {
        return transport;
    }

    /** Takes a lease; false once the transport is retired, and the caller must look again. */
    boolean tryAcquire() {
        while (true) {
            int state = leases.get();
            if ((state & RETIRED) != 0) {
                return false;
            }
            if (leases.compareAndSet(state, state + 1)) {
                return true;
            }
        }
    }

    /** Gives a lease back; the last one back after retirement closes the transport. */
    void release() {
        if (leases.decrementAndGet() == RETIRED) {
            closeOnce();
        }
    }

    /** No new leases from now on; closes the transport at once if no send holds it. */
    void retire() {
        if (leases.accumulateAndGet(RETIRED, (state, flag) -> state | flag) == RETIRED) {
            closeOnce();
        }
    }

    private void closeOnce() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            transport.close();
        } catch (RuntimeException e) {
            // The transport is out of service either way; a failed close must not fail a send.
            LOG.log(System.Logger.Level.WARNING, "Closing the transport for " + server + " failed: " + e.getMessage());
        }
    }
}
