package dev.mailservice.adapters.mail;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.Overloaded;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Open SMTP connections of one transport, reused from send to send, at most {@code size} at a
 * time.
 *
 * <p>Before an idle connection is reused it is asked whether it is still alive (SMTP NOOP); one
 * the server has dropped is closed and a fresh one opened, before the message is sent. A message
 * is therefore written once, on a connection that answered a moment ago, and never sent again
 * after a failure: the server may have accepted it already. A connection on which a send failed
 * is closed rather than reused.
 */
final class SmtpConnectionPool implements AutoCloseable {

    /** What a send refused for want of a connection asks its client to wait. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    /** Opens and logs in a new connection. */
    @FunctionalInterface
    interface Opener {
        Transport open() throws MessagingException;
    }

    private final Opener opener;
    private final int size;
    private final Duration waitLimit;
    private final String server;
    private final Semaphore permits;
    private final Deque<Transport> idle = new ConcurrentLinkedDeque<>();
    private final SmtpPoolMeters meters;
    private volatile boolean closed;

    /**
     * @param size      how many connections may be open at once
     * @param waitLimit how long a send may wait for one of them to be free
     * @param server    the server's address, for messages
     * @param meters    told of every connection lent, kept, opened, and of every wait
     */
    SmtpConnectionPool(Opener opener, int size, Duration waitLimit, String server, SmtpPoolMeters meters) {
        this.opener = opener;
        this.meters = meters;
        this.size = size;
        this.waitLimit = waitLimit;
        this.server = server;
        this.permits = new Semaphore(size, true);
    }

    /**
     * A live connection, idle or new; hand it back with {@link #giveBack}.
     *
     * @throws MessagingException    if a new connection cannot be opened or logged in
     * @throws Overloaded if every connection stayed busy for the wait limit
     */
    Transport borrow() throws MessagingException {
        acquirePermit();
        try {
            Transport connection;
            while ((connection = takeIdle()) != null) {
                if (connection.isConnected()) {
                    meters.lent(1);
                    return connection;
                }
                closeQuietly(connection);
            }
            connection = opener.open();
            meters.connectionOpened();
            meters.lent(1);
            return connection;
        } catch (MessagingException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** Returns a borrowed connection: kept for the next send if {@code reusable}, closed otherwise. */
    void giveBack(Transport connection, boolean reusable) {
        meters.lent(-1);
        if (reusable && !closed) {
            idle.offerFirst(connection);
            meters.kept(1);
        } else {
            closeQuietly(connection);
        }
        permits.release();
        if (closed) {
            closeIdle();
        }
    }

    /**
     * Closes the idle connections (politely, with QUIT) on a thread of their own, so that the
     * send or reload that happens to close the pool does not wait for the server's goodbyes; those
     * still borrowed close when given back.
     */
    @Override
    public void close() {
        closed = true;
        Thread.ofVirtual().name("smtp-pool-close").start(this::closeIdle);
    }

    private void acquirePermit() {
        if (permits.tryAcquire()) {
            return;
        }
        meters.sendWaited();
        try {
            if (!permits.tryAcquire(waitLimit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Overloaded("All " + size + " connections to the SMTP server " + server
                        + " stayed busy for " + waitLimit.toMillis() + " ms", RETRY_AFTER);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryFailed("Interrupted while waiting for a connection to " + server, e);
        }
    }

    private void closeIdle() {
        Transport connection;
        while ((connection = takeIdle()) != null) {
            closeQuietly(connection);
        }
    }

    private Transport takeIdle() {
        Transport connection = idle.pollFirst();
        if (connection != null) {
            meters.kept(-1);
        }
        return connection;
    }

    private static void closeQuietly(Transport connection) {
        try {
            connection.close();
        } catch (MessagingException e) {
            // The connection is being thrown away; a failed QUIT changes nothing.
        }
    }
}
