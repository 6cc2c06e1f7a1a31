package dev.mailservice.adapters.mail;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.Overloaded;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import java.time.Duration;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Open SMTP connections to one server as one user, opened on demand up to a maximum, reused from
 * send to send, and closed once they stay idle.
 *
 * <p>A connection used within the last few seconds ({@link #TRUSTED_WITHOUT_CHECK}) is reused as it is: servers
 * keep an idle connection for minutes (RFC 5321 asks for five), and asking first costs a round trip
 * on every send. One idle longer is asked whether it is still alive (SMTP NOOP); one the server has
 * dropped is closed and a fresh one opened, before the message is sent. A message is written once,
 * and never sent again after a failure: the server may have accepted it already. A connection on
 * which a message was begun and not accepted is closed rather than reused.
 *
 * <p>A server that refuses a new connection for its own limit (a 4xx greeting, or 432 at login)
 * while connections to it are open lowers the maximum to those connections: the send waits for one
 * of them instead of failing. Providers cap concurrent connections, some at three per mailbox.
 */
final class SmtpConnectionPool implements AutoCloseable {

    /** A connection used this recently is reused without a NOOP, by default. */
    static final Duration TRUSTED_WITHOUT_CHECK = Duration.ofSeconds(5);
    /** What a send refused for want of a connection asks its client to wait. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** How Angus Mail reports a greeting other than 220, and a 432 at login. */
    private static final Pattern REFUSED_FOR_ITS_LIMIT =
            Pattern.compile("bad greeting.*response: 4\\d\\d|^432\\b", Pattern.DOTALL);

    /** Opens and logs in a new connection. */
    @FunctionalInterface
    interface Opener {
        Transport open() throws MessagingException;
    }

    /** A connection waiting for the next send, and since when. */
    private record Idle(Transport connection, long sinceNanos) {}

    /** Permits that can be taken away: the pool's maximum, lowered when a server says so. */
    private static final class Permits extends Semaphore {
        private static final long serialVersionUID = 1L;

        Permits(int permits) {
            super(permits, true);
        }

        void lower(int by) {
            reducePermits(by);
        }
    }

    private final Opener opener;
    private final Duration waitLimit;
    private final Duration idleLimit;
    private final String server;
    private final Permits permits;
    /** Most recently used first: a send takes the freshest, the sweep closes from the other end. */
    private final Deque<Idle> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger open = new AtomicInteger();
    private final SmtpPoolMeters meters;
    private final LongSupplier nanoTime;
    private final Duration trustedWithoutCheck;
    private int maximum;
    private volatile boolean closed;

    /**
     * @param maximum   how many connections may be open at once
     * @param waitLimit how long a send may wait for one of them to be free
     * @param idleLimit how long a connection may stay idle before it is closed
     * @param server    the server's address, for messages
     * @param meters    told of every connection lent, kept, opened, and of every wait
     */
    SmtpConnectionPool(Opener opener, int maximum, Duration waitLimit, Duration idleLimit, String server,
            SmtpPoolMeters meters) {
        this(opener, maximum, waitLimit, idleLimit, server, meters, TRUSTED_WITHOUT_CHECK, System::nanoTime);
    }

    /**
     * As above, with how long a used connection is trusted without a check, and the clock that
     * ages idle connections, given: for tests.
     */
    SmtpConnectionPool(Opener opener, int maximum, Duration waitLimit, Duration idleLimit, String server,
            SmtpPoolMeters meters, Duration trustedWithoutCheck, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.trustedWithoutCheck = trustedWithoutCheck;
        this.opener = opener;
        this.maximum = maximum;
        this.waitLimit = waitLimit;
        this.idleLimit = idleLimit;
        this.server = server;
        this.meters = meters;
        this.permits = new Permits(maximum);
    }

    /**
     * A live connection, idle or new; hand it back with {@link #giveBack}.
     *
     * @throws MessagingException if a new connection cannot be opened or logged in
     * @throws Overloaded         if every connection stayed busy for the wait limit
     */
    Transport borrow() throws MessagingException {
        long deadline = System.nanoTime() + waitLimit.toNanos();
        while (true) {
            acquirePermit(deadline);
            try {
                Transport kept = takeLiveIdle();
                if (kept != null) {
                    meters.lent(1);
                    return kept;
                }
                Transport fresh = opener.open();
                open.incrementAndGet();
                meters.connectionOpened();
                meters.lent(1);
                return fresh;
            } catch (MessagingException e) {
                permits.release();
                if (!refusedForItsLimit(e) || !lowerMaximumToOpenConnections()) {
                    throw e;
                }
                // The server holds as many as it takes: wait for one of them, within the same limit.
            } catch (RuntimeException e) {
                permits.release();
                throw e;
            }
        }
    }

    /** Returns a borrowed connection: kept for the next send if {@code reusable}, closed otherwise. */
    void giveBack(Transport connection, boolean reusable) {
        try {
            meters.lent(-1);
            if (reusable && !closed) {
                idle.offerFirst(new Idle(connection, nanoTime.getAsLong()));
                meters.kept(1);
            } else {
                discard(connection);
            }
        } finally {
            // Whatever failed above, the place in the pool is not lost.
            permits.release();
        }
        if (closed) {
            closeIdle();
        }
    }

    /** Closes the connections that stayed idle longer than the idle limit. */
    void closeIdleConnections() {
        long now = nanoTime.getAsLong();
        Iterator<Idle> oldestFirst = idle.descendingIterator();
        while (oldestFirst.hasNext()) {
            Idle kept = oldestFirst.next();
            if (now - kept.sinceNanos() > idleLimit.toNanos() && idle.remove(kept)) {
                meters.kept(-1);
                discard(kept.connection());
            }
        }
    }

    /** How many connections may be open at once now. */
    synchronized int maximum() {
        return maximum;
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

    /** An idle connection to send on, or null: recently used ones as they are, older ones if a NOOP answers. */
    private Transport takeLiveIdle() {
        Idle kept;
        while ((kept = idle.pollFirst()) != null) {
            meters.kept(-1);
            long idleNanos = nanoTime.getAsLong() - kept.sinceNanos();
            if (idleNanos <= idleLimit.toNanos()
                    && (idleNanos <= trustedWithoutCheck.toNanos() || kept.connection().isConnected())) {
                return kept.connection();
            }
            discard(kept.connection());
        }
        return null;
    }

    private static boolean refusedForItsLimit(MessagingException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return REFUSED_FOR_ITS_LIMIT.matcher(message).find()
                && (e instanceof AuthenticationFailedException || message.contains("bad greeting"));
    }

    /** Lowers the maximum to the connections open now, if any are; false when none is (waiting would not help). */
    private synchronized boolean lowerMaximumToOpenConnections() {
        int openNow = open.get();
        if (openNow < 1) {
            return false;
        }
        if (openNow < maximum) {
            permits.lower(maximum - openNow);
            System.getLogger(SmtpConnectionPool.class.getName()).log(System.Logger.Level.WARNING,
                    "The SMTP server {0} refused a connection beyond {1}; sending over those {1} from now on",
                    server, openNow);
            maximum = openNow;
        }
        return true;
    }

    private void acquirePermit(long deadline) {
        if (permits.tryAcquire()) {
            return;
        }
        meters.sendWaited();
        try {
            if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new Overloaded("All " + maximum() + " connections to the SMTP server " + server
                        + " stayed busy for " + waitLimit.toMillis() + " ms", RETRY_AFTER);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryFailed("Interrupted while waiting for a connection to " + server, e);
        }
    }

    private void closeIdle() {
        Idle kept;
        while ((kept = idle.pollFirst()) != null) {
            meters.kept(-1);
            discard(kept.connection());
        }
    }

    /** Closes a connection the pool lets go of. */
    private void discard(Transport connection) {
        open.decrementAndGet();
        try {
            connection.close();
        } catch (MessagingException e) {
            // The connection is being thrown away; a failed QUIT changes nothing.
        }
    }
}
