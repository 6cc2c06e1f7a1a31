package dev.mailservice.adapters.http.edge;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The deadline on an answer the server writes itself, before routing: the server gives no word
 * once it is written, so the deadline runs until the connection's next request begins. How an
 * interrupt closes a connection blocked in a write is shown on a real server, for the answers of
 * the routes ({@code HostileClientTest}); here, which thread is interrupted, and when.
 */
class ClientDeadlinesTest {

    private static final Duration LIMIT = Duration.ofMillis(200);
    /** Well past the limit, so that a deadline left running has fired on a slow machine. */
    private static final Duration PAST_THE_LIMIT = Duration.ofSeconds(2);

    private final ClientDeadlines deadlines = new ClientDeadlines(LIMIT);
    private volatile boolean interruptedSeen;

    @AfterEach
    void close() {
        deadlines.close();
        Thread.interrupted();
    }

    @Test
    void anAnswerToARefusalNotWrittenWithinTheLimitInterruptsItsThread() throws Exception {
        Thread connection = Thread.ofVirtual().start(() -> {
            deadlines.refusedBeforeRouting();
            sleepUninterrupted(PAST_THE_LIMIT);
        });
        connection.join();
        assertTrue(interruptedSeen, "the thread writing the answer was not interrupted");
    }

    @Test
    void theNextRequestOnTheConnectionEndsTheAnswersDeadline() throws Exception {
        Thread connection = Thread.ofVirtual().start(() -> {
            deadlines.refusedBeforeRouting();
            deadlines.startHeaderDeadline();
            deadlines.endHeaderDeadline();
            sleepUninterrupted(PAST_THE_LIMIT);
        });
        connection.join();
        assertFalse(interruptedSeen, "an answer's deadline fired into the next request");
    }

    /** Sleeps for {@code time} whatever interrupts come, noting whether one came. */
    private void sleepUninterrupted(Duration time) {
        long until = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < until) {
            try {
                Thread.sleep(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
            } catch (InterruptedException e) {
                interruptedSeen = true;
            }
        }
    }
}
