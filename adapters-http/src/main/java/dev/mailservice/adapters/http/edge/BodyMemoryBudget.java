package dev.mailservice.adapters.http.edge;

import dev.mailservice.adapters.http.answers.HttpError;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many request-body bytes the service handles at once, so that any number of concurrent
 * large requests cannot exhaust the heap. A request reserves its body's size before the body is
 * read; when the budget is spent it waits, up to a limit, for others to finish, and is then
 * refused with 503 and {@code Retry-After} (its body still unread: a client that sent
 * {@code Expect: 100-continue} never sends it).
 *
 * <p>The budget follows the heap: a body costs several times its size while it is parsed (the
 * text of a 10 MiB JSON string passes through character buffers), rendered and written out, so
 * the budget is the heap divided by {@link #HEAP_BYTES_PER_BODY_BYTE}. A body larger than the
 * whole budget is still taken when nothing else is held, so that the largest allowed request
 * can always be served on a small heap, one at a time.
 *
 * <p>Written here because Helidon's limits ({@code max-concurrent-requests}, its concurrency
 * limits) count requests, not body bytes, and answer without {@code Retry-After}.
 */
public final class BodyMemoryBudget {

    /**
     * Heap bytes a request may need for each byte of its body. Measured with 32 concurrent sends of
     * 10 MiB at -Xmx96m (LargeSendsAtDeployedHeapIT): a budget of the heap divided by 1 or 2 ran out
     * of memory, by 4 held; 6 leaves a margin for the rest of the service's work.
     */
    static final int HEAP_BYTES_PER_BODY_BYTE = 6;
    /** How long a request waits for room before it is refused; its route starts after that. */
    public static final Duration ADMISSION_WAIT = Duration.ofSeconds(5);
    /** What an overloaded answer asks the client to wait before trying again. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final long capacity;
    private final Duration admissionWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long inUse;

    /**
     * @param capacity      body bytes that may be held at once
     * @param admissionWait how long a request waits for room
     */
    public BodyMemoryBudget(long capacity, Duration admissionWait) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a budget needs room for one byte at least, got " + capacity);
        }
        this.capacity = capacity;
        this.admissionWait = admissionWait;
    }

    /** The budget for a heap of {@code maxHeapBytes} (the JVM's {@code -Xmx}). */
    public static BodyMemoryBudget forHeap(long maxHeapBytes) {
        return new BodyMemoryBudget(Math.max(1, maxHeapBytes / HEAP_BYTES_PER_BODY_BYTE), ADMISSION_WAIT);
    }

    /**
     * Reserves {@code bytes}, waiting for room if need be.
     *
     * @return the reservation; close it once the request is done with its body
     * @throws HttpError a 503 with {@code Retry-After} when no room came in time
     */
    Reservation reserve(long bytes) {
        if (bytes == 0) {
            return new Reservation(0);
        }
        lock.lock();
        try {
            long waitNanos = admissionWait.toNanos();
            // A body over the whole budget goes alone; any other when it fits.
            while (inUse > 0 && inUse + bytes > capacity) {
                if (waitNanos <= 0) {
                    throw HttpError.overloaded("The service is handling as many request bodies as its memory allows; "
                            + "try again shortly", RETRY_AFTER);
                }
                waitNanos = released.awaitNanos(waitNanos);
            }
            inUse += bytes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.overloaded("Interrupted while waiting for room for the request body", RETRY_AFTER);
        } finally {
            lock.unlock();
        }
        return new Reservation(bytes);
    }

    /** Bytes reserved now, for tests. */
    long inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    private void release(long bytes) {
        lock.lock();
        try {
            inUse -= bytes;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Room held for one request's body; used by that request's thread alone. */
    final class Reservation implements AutoCloseable {

        private long held;

        private Reservation(long held) {
            this.held = held;
        }

        /** Gives back all but {@code bytes} of the room: the body was read, and less of it is left. */
        void keepOnly(long bytes) {
            if (bytes < held) {
                release(held - bytes);
                held = bytes;
            }
        }

        @Override
        public void close() {
            release(held);
            held = 0;
        }
    }
}
