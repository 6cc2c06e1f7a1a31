package dev.mailservice.adapters.http.edge;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deadlines on reading from a client: a thread that waits for a client's bytes longer than the
 * limit is interrupted, which closes its connection (a blocked read on a socket gives up and the
 * socket closes when its thread, a virtual thread here, is interrupted).
 *
 * <p>Why this exists: Helidon (4.5.0) closes idle connections only while it waits for a request
 * line; a client that stops in the middle of its headers or its body holds a connection, and a
 * thread, for ever. A socket read timeout is not applied to the server's sockets either.
 *
 * <p>An interrupt never lands outside the read it was meant for: a deadline that passes just as
 * its read ends is reported by {@link Deadline#end()} only once the interrupt has been delivered,
 * so the caller can clear it before the thread does anything else.
 */
public final class ReadDeadlines implements AutoCloseable {

    private static final int ARMED = 0;
    private static final int ENDED = 1;
    private static final int INTERRUPTING = 2;
    private static final int INTERRUPTED = 3;

    private final Duration limit;
    private final ScheduledThreadPoolExecutor timer;
    /** The header deadline of the request a connection's thread is reading, if any. */
    private final ThreadLocal<Deadline> headerDeadline = new ThreadLocal<>();

    /** @param limit how long a client may keep a read waiting */
    public ReadDeadlines(Duration limit) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("http-read-deadlines").daemon(true).factory());
        // Nearly every deadline is ended in time: do not keep them queued until they would have fired.
        timer.setRemoveOnCancelPolicy(true);
    }

    /** How long a client may keep a read waiting. */
    Duration limit() {
        return limit;
    }

    /** Starts the deadline of a read the current thread is about to wait for. */
    Deadline start() {
        Deadline deadline = new Deadline(Thread.currentThread());
        deadline.expiry = timer.schedule(deadline::expire, limit.toNanos(), TimeUnit.NANOSECONDS);
        return deadline;
    }

    /** Starts the deadline of the header block the current thread reads next. */
    void startHeaderDeadline() {
        headerDeadline.set(start());
    }

    /**
     * Ends the current thread's header deadline, if one runs: the headers are in, or the request
     * was refused before they were.
     *
     * @return false when it had passed already, and the thread is interrupted
     */
    public boolean endHeaderDeadline() {
        Deadline deadline = headerDeadline.get();
        headerDeadline.remove();
        return deadline == null || deadline.end();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One running deadline. */
    static final class Deadline {

        private final Thread reader;
        private final AtomicInteger state = new AtomicInteger(ARMED);
        private volatile ScheduledFuture<?> expiry;

        private Deadline(Thread reader) {
            this.reader = reader;
        }

        private void expire() {
            if (state.compareAndSet(ARMED, INTERRUPTING)) {
                reader.interrupt();
                state.set(INTERRUPTED);
            }
        }

        /**
         * Ends the deadline, the read being over.
         *
         * @return false when it had passed already: the reader is interrupted (this returns only
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
