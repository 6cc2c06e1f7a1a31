package dev.mailservice.adapters.http.edge;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deadlines on waiting for a client: a thread that waits for a client's bytes, or for a client to
 * take an answer, longer than the limit is interrupted, which closes its connection (a socket
 * channel closes when a thread blocked on it, a virtual thread here, is interrupted).
 *
 * <p>Why this exists: Helidon (4.5.0) closes idle connections only while it waits for a request
 * line; a client that stops in the middle of its headers or its body, or stops reading its
 * answers, holds a connection, and a thread, for ever. Its sockets have no read or write timeout.
 *
 * <p>An interrupt never lands outside the wait it was meant for: a deadline that passes just as
 * its wait ends is reported by {@link Deadline#end()} only once the interrupt has been delivered,
 * so the caller can clear it before the thread does anything else.
 */
public final class ClientDeadlines implements AutoCloseable {

    private static final int ARMED = 0;
    private static final int ENDED = 1;
    private static final int INTERRUPTING = 2;
    private static final int INTERRUPTED = 3;

    private final Duration limit;
    private final ScheduledThreadPoolExecutor timer;
    /** The header deadline of the request a connection's thread is reading, if any. */
    private final ThreadLocal<Deadline> headerDeadline = new ThreadLocal<>();
    /** The deadline of an answer the server writes itself, before routing, on a connection's thread. */
    private final ThreadLocal<Deadline> refusalDeadline = new ThreadLocal<>();

    /** @param limit how long a client may keep a read or a write waiting */
    public ClientDeadlines(Duration limit) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("http-client-deadlines").daemon(true).factory());
        // Nearly every deadline is ended in time: do not keep them queued until they would have fired.
        timer.setRemoveOnCancelPolicy(true);
    }

    /** How long a client may keep a read or a write waiting. */
    Duration limit() {
        return limit;
    }

    /** Starts the deadline of a read or a write the current thread is about to wait for. */
    Deadline start() {
        return start(limit.toNanos());
    }

    /** Starts a deadline, {@code nanos} from now, on a wait of the current thread's. */
    Deadline start(long nanos) {
        Deadline deadline = new Deadline(Thread.currentThread());
        deadline.expiry = timer.schedule(deadline::expire, nanos, TimeUnit.NANOSECONDS);
        return deadline;
    }

    /**
     * Starts the deadline of the header block the current thread reads next. The answer to a
     * refusal before it, if any, was written: its deadline ends (when it had passed, the thread is
     * interrupted, and the connection is given up at its next read).
     */
    void startHeaderDeadline() {
        end(refusalDeadline);
        headerDeadline.set(start());
    }

    /**
     * A request refused before routing, which the server answers itself: its header deadline ends,
     * and the answer's writing gets one, ended when the connection's next request begins. The server
     * gives no word once it has written such an answer; most close the connection, and a deadline
     * left running then interrupts a thread that has ended.
     */
    public void refusedBeforeRouting() {
        endHeaderDeadline();
        end(refusalDeadline);
        refusalDeadline.set(start());
    }

    /**
     * Ends the current thread's header deadline, if one runs: the headers are in, or the request
     * was refused before they were.
     *
     * @return false when it had passed already, and the thread is interrupted
     */
    boolean endHeaderDeadline() {
        return end(headerDeadline);
    }

    /** Ends the current thread's deadline in {@code running}, if one runs; false when it had passed already. */
    private static boolean end(ThreadLocal<Deadline> running) {
        Deadline deadline = running.get();
        running.remove();
        return deadline == null || deadline.end();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One running deadline. */
    static final class Deadline {

        private final Thread waiter;
        private final AtomicInteger state = new AtomicInteger(ARMED);
        private volatile ScheduledFuture<?> expiry;

        private Deadline(Thread waiter) {
            this.waiter = waiter;
        }

        private void expire() {
            if (state.compareAndSet(ARMED, INTERRUPTING)) {
                waiter.interrupt();
                state.set(INTERRUPTED);
            }
        }

        /**
         * Ends the deadline, the wait being over.
         *
         * @return false when it had passed already: the waiting thread is interrupted (this returns only
         *         once it is), and its connection is to be given up
         */
        boolean end() {
            ScheduledFuture<?> scheduled = expiry;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            if (state.compareAndSet(ARMED, ENDED) || state.get() == ENDED) {
                return true;
            }
            while (state.get() != INTERRUPTED) {
                Thread.onSpinWait();
            }
            return false;
        }
    }
}
