package dev.mailservice.adapters.mail;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.Overloaded;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The places for connections to one server, one taken by each connection lent or being opened,
 * and how many there are: {@link SmtpConnectionPool.Limits#maximum}, or fewer as the server allows.
 *
 * <p>A server that refuses a new connection for its own limit (a 4xx greeting, or 432 at login)
 * while connections to it are open lowers the places to those connections: the send waits for one
 * of them instead of failing. Providers cap concurrent connections, some at three per mailbox. The
 * places climb back by one after each {@link SmtpConnectionPool.Limits#recoverAfter} without such a
 * refusal, when a send would otherwise wait, up to where they started.
 */
final class ConnectionPlaces {

    /** What a send refused for want of a connection asks its client to wait. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** The pool's log: what the pool does for the server's sake is told under its name. */
    private static final System.Logger LOG = System.getLogger(SmtpConnectionPool.class.getName());

    /** Permits that can be taken away and given back: the pool's maximum, as the server allows it. */
    private static final class Permits extends Semaphore {
        private static final long serialVersionUID = 1L;

        Permits(int permits) {
            super(permits, true);
        }

        void lower(int by) {
            reducePermits(by);
        }
    }

    private final SmtpConnectionPool.Limits limits;
    private final String server;
    private final SmtpMeters meters;
    private final LongSupplier nanoTime;
    private final Permits permits;
    /** How many connections may be open at once now: {@link SmtpConnectionPool.Limits#maximum} or less. */
    private int maximum;
    /** When the server last refused a connection for its limit, or the maximum last climbed. */
    private long lastLoweredOrRaised;

    /**
     * @param server   the server's address, for messages
     * @param meters   told of every change of the maximum, and of every wait
     * @param nanoTime the clock that times the quiet spells
     */
    ConnectionPlaces(SmtpConnectionPool.Limits limits, String server, SmtpMeters meters, LongSupplier nanoTime) {
        this.limits = limits;
        this.server = server;
        this.meters = meters;
        this.nanoTime = nanoTime;
        this.maximum = limits.maximum();
        this.permits = new Permits(limits.maximum());
        meters.allowedChanged(maximum);
    }

    /**
     * Takes a place, waiting for one until {@code until} ({@link System#nanoTime()}'s terms) at the latest.
     *
     * @param untilTheDeadline whether {@code until} is the send's deadline, rather than the end of
     *                         its wait limit, for the refusal to say which ended the wait
     * @param waitedBefore     how long the send waited for a place before this, in nanoseconds (a
     *                         refusal of the server for its limit sends it back to wait), for the
     *                         refusal to say how long it waited in all
     * @return how long it waited, in nanoseconds
     * @throws Overloaded if every place stayed taken until then
     */
    long take(long until, boolean untilTheDeadline, long waitedBefore) {
        if (tryTake()) {
            return 0;
        }
        raiseMaximumAfterAQuietSpell();
        meters.sendWaited();
        long waitFrom = System.nanoTime();
        try {
            if (!permits.tryAcquire(Math.max(0, until - waitFrom), TimeUnit.NANOSECONDS)) {
                long waited = waitedBefore + System.nanoTime() - waitFrom;
                String busy = "All " + maximum() + " connections to the SMTP server " + server;
                throw new Overloaded(untilTheDeadline && waitedBefore == 0 && until - waitFrom <= 0
                        ? busy + " were busy, and the send's deadline left no time to wait for one"
                        : busy + " stayed busy for " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms"
                                + (untilTheDeadline ? ", until the send's deadline" : ""),
                        RETRY_AFTER);
            }
            return System.nanoTime() - waitFrom;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryFailed.temporary("Interrupted while waiting for a connection to " + server
                    + "; the mail was not sent", 0, RETRY_AFTER, e);
        }
    }

    /**
     * Takes a place if one is free at once and no send waits for one: a place freed goes to the send
     * first in line, not to one that asks just as it is freed (a send trying again, a spare).
     */
    boolean tryTake() {
        try {
            // Unlike tryAcquire(), which takes a free permit ahead of the threads waiting, this keeps their turn.
            return permits.tryAcquire(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Gives a place back. */
    void free() {
        permits.release();
    }

    /** How many connections may be open at once now. */
    synchronized int maximum() {
        return maximum;
    }

    /**
     * Lowers the maximum to {@code openNow}, the connections open now, if any are; false when none is
     * (waiting would not help).
     */
    synchronized boolean lowerTo(int openNow) {
        if (openNow < 1) {
            return false;
        }
        lastLoweredOrRaised = nanoTime.getAsLong();
        if (openNow < maximum) {
            permits.lower(maximum - openNow);
            meters.allowedChanged(openNow - maximum);
            LOG.log(System.Logger.Level.WARNING,
                    "The SMTP server {0} refused a connection beyond {1}; sending over those {1} from now on",
                    server, openNow);
            maximum = openNow;
        }
        return true;
    }

    /** Takes the places out of the meters' count of allowed connections: the pool closes. */
    synchronized void withdraw() {
        meters.allowedChanged(-maximum);
    }

    /** Gives one place back to a lowered maximum, once the server refused none for a while. */
    private synchronized void raiseMaximumAfterAQuietSpell() {
        long now = nanoTime.getAsLong();
        if (maximum < limits.maximum() && now - lastLoweredOrRaised >= limits.recoverAfter().toNanos()) {
            lastLoweredOrRaised = now;
            maximum++;
            permits.release();
            meters.allowedChanged(1);
            LOG.log(System.Logger.Level.INFO,
                    "No refusal from the SMTP server {0} for {1} s; trying {2} connections", server,
                    limits.recoverAfter().toSeconds(), maximum);
        }
    }
}
