package dev.mailservice.adapters.http.edge;

import dev.mailservice.adapters.http.answers.HttpError;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the requests being answered, so that stopping can wait for them.
 *
 * <p>Helidon's own stop interrupts the threads of the requests under way, and an interrupted
 * thread loses its socket: a send cut off after the SMTP server took the message but before it
 * said so would be answered 500, and the client's retry would send the mail twice. So the server
 * first drains: new requests are answered 503 (a client or proxy that retries goes to another
 * replica), and the ones under way finish. An error answer is written just after its request
 * leaves the count; Helidon's stop gives busy connections a grace period for that. (Written here
 * because Helidon's stop refuses new connections rather than answering 503.)
 */
public final class RequestsInFlight implements Filter {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allDone = lock.newCondition();
    private int inFlight;
    // Written holding the lock; read without it by stopping().
    private volatile boolean draining;

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        lock.lock();
        try {
            if (draining) {
                throw HttpError.serviceUnavailable("The service is stopping; try again");
            }
            inFlight++;
        } finally {
            lock.unlock();
        }
        try {
            chain.proceed();
        } finally {
            lock.lock();
            try {
                if (--inFlight == 0) {
                    allDone.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Whether the server is stopping: new requests are refused, and the ones under way are waited for. */
    public boolean stopping() {
        return draining;
    }

    /**
     * Refuses new requests from now on and waits until the ones under way have finished.
     *
     * @return the number of requests still under way when {@code timeout} ran out; 0 when all finished
     */
    public int drain(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            draining = true;
            long remaining = timeout.toNanos();
            while (inFlight > 0 && remaining > 0) {
                remaining = allDone.awaitNanos(remaining);
            }
            return inFlight;
        } finally {
            lock.unlock();
        }
    }
}
