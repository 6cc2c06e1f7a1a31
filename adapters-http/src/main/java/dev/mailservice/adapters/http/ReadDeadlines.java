package dev.mailservice.adapters.http;

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
 */
final class ReadDeadlines implements AutoCloseable {

    private static final int ARMED = 0;
    private static final int DISARMED = 1;
    private static final int FIRED = 2;

    private final Duration limit;
    private final ScheduledThreadPoolExecutor timer;

    /** @param limit how long a client may keep a read waiting */
    ReadDeadlines(Duration limit) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("http-read-deadlines").daemon(true).factory());
        // Nearly every deadline is cancelled: do not keep them queued until they would have fired.
        timer.setRemoveOnCancelPolicy(true);
    }

    /** How long a client may keep a read waiting. */
    Duration limit() {
        return limit;
    }

    /** Starts the deadline of a read the current thread is about to wait for. */
    Deadline start() {
        return start(() -> {});
    }

    /** The same, calling {@code onExpiry} when the deadline passes (before the interrupt). */
    Deadline start(Runnable onExpiry) {
        Deadline deadline = new Deadline(Thread.currentThread(), onExpiry);
        deadline.expiry = timer.schedule(deadline::expire, limit.toNanos(), TimeUnit.NANOSECONDS);
        return deadline;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One running deadline. */
    static final class Deadline {

        private final Thread reader;
        private final Runnable onExpiry;
        private final AtomicInteger state = new AtomicInteger(ARMED);
        private volatile ScheduledFuture<?> expiry;

        private Deadline(Thread reader, Runnable onExpiry) {
            this.reader = reader;
            this.onExpiry = onExpiry;
        }

        private void expire() {
            if (state.compareAndSet(ARMED, FIRED)) {
                onExpiry.run();
                reader.interrupt();
            }
        }

        /**
         * Ends the deadline, the read being over.
         *
         * @return false when it had passed already: the reader was (or is about to be) interrupted,
         *         and its connection is to be given up
         */
        boolean end() {
            ScheduledFuture<?> scheduled = expiry;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            return state.compareAndSet(ARMED, DISARMED) || state.get() == DISARMED;
        }
    }
}
