package dev.mailservice.adapters.mail;

import dev.mailservice.application.failure.Overloaded;
import java.time.Duration;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Open SMTP connections to one server as one user, opened on demand up to a maximum, reused from
 * send to send, and closed once they stay idle, carried their share of mails, or grew old.
 *
 * <p>A connection used within the last few seconds ({@link Limits#trustedWithoutCheck}) is reused
 * as it is: servers keep an idle connection for minutes (RFC 5321 asks for five), and asking first
 * costs a round trip on every send. One idle longer is asked whether it is still alive (SMTP NOOP);
 * one the server has dropped is closed and a fresh one opened, before the mail is sent. A connection
 * on which {@link Limits#maxMails} mails were begun (or as many as the server was seen to allow,
 * {@link #closedByServer}) or that lived {@link Limits#maxAge} is closed instead of kept, before the
 * server's own limits close it under a mail. A connection let go of while other
 * sends are under way is replaced in the background, so that the next send finds one ready.
 *
 * <p>A server that refuses a new connection for its own limit while connections to it are open
 * lowers the maximum to those connections, and the send waits for one of them instead of failing;
 * the maximum climbs back after quiet spells ({@link ConnectionPlaces}). What the server was seen to
 * allow a connection in mails is kept apart ({@link LearnedMailLimit}): the pool lends connections
 * within both.
 *
 * <p>Whatever a send meets on a connection, an {@link Error} included, the place it took in the
 * pool is given back: the pool never stays full of nothing.
 */
final class SmtpConnectionPool implements AutoCloseable {

    /**
     * Opens spare connections and says goodbye to those let go of, for every pool: platform threads, made as the
     * work needs them and ended when idle. Angus holds a transport's monitor through its greeting, login and QUIT,
     * which would pin a virtual thread's carrier (JDK 21) for as long.
     */
    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("smtp-pool-background").daemon(true).factory());

    /**
     * How a pool keeps its connections.
     *
     * @param maximum             how many connections may be open at once
     * @param waitLimit           how long a send may wait for one of them to be free
     * @param idleLimit           how long a connection may stay idle before it is closed
     * @param maxMails            how many mails may be begun on a connection before it is closed
     * @param maxAge              how long a connection is used before it is closed
     * @param trustedWithoutCheck how long after its last use a connection is reused without a NOOP
     * @param recoverAfter        how long without a refusal for the server's limit before the
     *                            maximum, once lowered, climbs by one
     */
    record Limits(int maximum, Duration waitLimit, Duration idleLimit, int maxMails, Duration maxAge,
            Duration trustedWithoutCheck, Duration recoverAfter) {}

    /** Opens and logs in a new connection before a deadline. */
    @FunctionalInterface
    interface Opener {
        SmtpConnection open(long deadline) throws SmtpFailure;
    }

    /** A connection waiting for the next send, and since when. */
    private record Idle(SmtpConnection connection, long sinceNanos) {}

    /**
     * When each open connection was opened, and how long it had been idle when last lent, by the pool's clock; a
     * connection leaves it when discarded.
     */
    private final Map<SmtpConnection, Life> lives = new ConcurrentHashMap<>();

    /** What the pool notes of a connection's life. */
    private static final class Life {
        final long openedAt;
        volatile long idleBeforeLent;

        Life(long openedAt) {
            this.openedAt = openedAt;
        }
    }

    private final Opener opener;
    private final Limits limits;
    private final String server;
    private final ConnectionPlaces places;
    private final LearnedMailLimit mailLimit;
    /** Most recently used first: a send takes the freshest, the sweep closes from the other end. */
    private final Deque<Idle> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger lent = new AtomicInteger();
    private final SmtpMeters meters;
    private final LongSupplier nanoTime;
    private volatile boolean closed;

    /**
     * @param server   the server's address, for messages
     * @param meters   told of every connection lent, kept, opened, and of every wait
     * @param nanoTime the clock that ages connections
     */
    SmtpConnectionPool(Opener opener, Limits limits, String server, SmtpMeters meters, LongSupplier nanoTime) {
        this.opener = opener;
        this.limits = limits;
        this.server = server;
        this.meters = meters;
        this.nanoTime = nanoTime;
        this.places = new ConnectionPlaces(limits, server, meters, nanoTime);
        this.mailLimit = new LearnedMailLimit(limits.maxMails(), server);
    }

    /**
     * A live connection, idle or new, lent until {@code deadline} at the latest; hand it back with
     * {@link #giveBack}.
     *
     * @throws SmtpFailure if a new connection cannot be opened or logged in
     * @throws Overloaded  if every connection stayed busy for the wait limit, or until the deadline
     */
    SmtpConnection borrow(long deadline) throws SmtpFailure {
        // One wait limit for all the waits of a send, however many times a refusal sends it back to wait.
        long waited = 0;
        while (true) {
            long limitEnds = System.nanoTime() + limits.waitLimit().toNanos() - waited;
            boolean deadlineFirst = deadline - limitEnds < 0;
            waited += places.take(deadlineFirst ? deadline : limitEnds, deadlineFirst, waited);
            boolean lent = false;
            try {
                SmtpConnection connection = takeLiveIdle(deadline);
                if (connection == null) {
                    connection = opener.open(deadline);
                    lives.put(connection, new Life(nanoTime.getAsLong()));
                    open.incrementAndGet();
                    meters.connectionOpened();
                }
                meters.lent(1);
                this.lent.incrementAndGet();
                lent = true;
                return connection;
            } catch (SmtpFailure failure) {
                if (!failure.refusedForItsLimit() || !places.lowerTo(open.get())) {
                    throw failure;
                }
                // The server holds as many as it takes: wait for one of them, within the same limits.
            } finally {
                if (!lent) {
                    places.free();
                }
            }
        }
    }

    /**
     * Returns a borrowed connection: kept for the next send if {@code reusable} and not worn out by
     * its mails or age, closed otherwise.
     */
    void giveBack(SmtpConnection connection, boolean reusable) {
        boolean replace = false;
        try {
            meters.lent(-1);
            boolean othersUnderWay = lent.decrementAndGet() > 0;
            long now = nanoTime.getAsLong();
            if (reusable && !closed && !wornOut(connection, now)) {
                idle.offerFirst(new Idle(connection, now));
                meters.kept(1);
            } else {
                discard(connection);
                replace = othersUnderWay;
            }
        } finally {
            // Whatever failed above, the place in the pool is not lost.
            places.free();
        }
        if (closed) {
            closeIdle();
        } else if (replace) {
            openSpare();
        }
    }

    /**
     * Opens a connection in the background to stand in for one let go of while sends are under way (the server
     * closed it, it failed, it carried its mails or grew old), when a place is free and no send waits for one: a
     * later send then finds it ready instead of paying for the greeting, STARTTLS and the login itself, some
     * seven round trips. A spare that cannot be opened is let go: a send that needs a connection opens its own,
     * and says why if that fails.
     */
    private void openSpare() {
        // A place a send waits for is the send's (tryTake keeps its turn): the spare would make it wait for a
        // whole opening.
        if (closed || !places.tryTake()) {
            return;
        }
        try {
            BACKGROUND.execute(this::openSpareNow);
        } catch (RuntimeException notStarted) {
            places.free();
        }
    }

    private void openSpareNow() {
        try {
            if (closed) {
                return;
            }
            SmtpConnection spare = opener.open(System.nanoTime() + limits.waitLimit().toNanos());
            long now = nanoTime.getAsLong();
            lives.put(spare, new Life(now));
            open.incrementAndGet();
            meters.connectionOpened();
            idle.offerFirst(new Idle(spare, now));
            meters.kept(1);
            if (closed) {
                closeIdle();
            }
        } catch (SmtpFailure | RuntimeException e) {
            System.getLogger(SmtpConnectionPool.class.getName()).log(System.Logger.Level.DEBUG,
                    "A spare connection to {0} could not be opened: {1}", server, e.getMessage());
        } finally {
            places.free();
        }
    }

    /** Closes the connections that stayed idle longer than the idle limit. */
    void closeIdleConnections() {
        long now = nanoTime.getAsLong();
        Iterator<Idle> oldestFirst = idle.descendingIterator();
        while (oldestFirst.hasNext()) {
            Idle kept = oldestFirst.next();
            if (now - kept.sinceNanos() > limits.idleLimit().toNanos() && idle.remove(kept)) {
                meters.kept(-1);
                discard(kept.connection());
            }
        }
    }

    /** How many connections may be open at once now. */
    int maximum() {
        return places.maximum();
    }

    /**
     * Closes the idle connections (politely, with QUIT) on a thread of their own, so that the
     * send or reload that happens to close the pool does not wait for the server's goodbyes; those
     * still borrowed close when given back.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (!closed) {
                places.withdraw();
            }
            closed = true;
        }
        closeIdle();
    }

    /**
     * An idle connection to send on, or null: recently used ones as they are, older ones if a NOOP
     * answers before {@code deadline}; worn-out ones are closed. Once the deadline has passed, an
     * older one is left idle unasked: its NOOP could not be written, and it would be closed for that.
     */
    private SmtpConnection takeLiveIdle(long deadline) {
        Idle kept;
        while ((kept = idle.pollFirst()) != null) {
            meters.kept(-1);
            long now = nanoTime.getAsLong();
            long idleNanos = now - kept.sinceNanos();
            if (idleNanos > limits.trustedWithoutCheck().toNanos() && System.nanoTime() - deadline >= 0) {
                idle.offerFirst(kept);
                meters.kept(1);
                if (closed) {
                    closeIdle(); // the pool closed meanwhile, and may have emptied the idle list before this came back
                }
                return null;
            }
            if (idleNanos <= limits.idleLimit().toNanos() && !wornOut(kept.connection(), now)
                    && (idleNanos <= limits.trustedWithoutCheck().toNanos() || kept.connection().answers(deadline))) {
                Life life = lives.get(kept.connection());
                if (life != null) {
                    life.idleBeforeLent = idleNanos;
                }
                return kept.connection();
            }
            discard(kept.connection());
        }
        return null;
    }

    private boolean wornOut(SmtpConnection connection, long now) {
        Life life = lives.get(connection);
        return connection.mails() >= mailLimit.maxMails(now)
                || life != null && now - life.openedAt >= limits.maxAge().toNanos();
    }

    /**
     * Notes that the server closed {@code connection} at its next mail (a 421, or the end of the stream): when it
     * keeps doing so after the same number of mails, the pool takes that number as the server's limit of mails a
     * connection ({@link LearnedMailLimit}).
     */
    void closedByServer(SmtpConnection connection) {
        Life life = lives.get(connection);
        if (life != null) {
            // The mails begun before the one the server closed the connection under.
            mailLimit.closedAfter(connection.mails() - 1, life.idleBeforeLent, nanoTime.getAsLong());
        }
    }

    private void closeIdle() {
        Idle kept;
        while ((kept = idle.pollFirst()) != null) {
            meters.kept(-1);
            discard(kept.connection());
        }
    }

    /**
     * Lets go of a connection: its place is free at once, and its goodbye (QUIT, up to the timeout
     * against a slow server) runs in the background, so that no send waits for it.
     */
    private void discard(SmtpConnection connection) {
        lives.remove(connection);
        open.decrementAndGet();
        BACKGROUND.execute(connection::close);
    }
}
