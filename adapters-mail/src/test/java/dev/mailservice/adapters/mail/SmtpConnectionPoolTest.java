package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.Overloaded;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.URLName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The pool's own rules, over connections that count what is asked of them and a clock the test
 * moves: what it opens, when it asks a connection whether it lives, when it closes one, and how it
 * yields to a server's limit. The same pool against a real server: {@link SmtpConnectionReuseTest}.
 */
class SmtpConnectionPoolTest {

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Duration IDLE_LIMIT = Duration.ofSeconds(60);

    /** A connection that counts the liveness checks (NOOP) asked of it. */
    private static final class CountedConnection extends Transport {
        final AtomicInteger checks = new AtomicInteger();
        volatile boolean alive = true;
        volatile boolean closed;

        CountedConnection() {
            super(SESSION, new URLName("smtp://counted"));
        }

        @Override
        public boolean isConnected() {
            checks.incrementAndGet();
            return alive;
        }

        @Override
        public void sendMessage(Message message, Address[] addresses) {}

        @Override
        public void close() {
            closed = true;
        }
    }

    private final AtomicLong now = new AtomicLong();
    private final List<CountedConnection> opened = new ArrayList<>();
    private final SmtpPoolMeters meters = new SmtpPoolMeters();

    private SmtpConnectionPool pool(int maximum, Duration waitLimit, SmtpConnectionPool.Opener opener) {
        return new SmtpConnectionPool(opener, maximum, waitLimit, IDLE_LIMIT, "smtp.example.com:587", meters,
                SmtpConnectionPool.TRUSTED_WITHOUT_CHECK, now::get);
    }

    private synchronized CountedConnection open() {
        CountedConnection connection = new CountedConnection();
        opened.add(connection);
        return connection;
    }

    @Test
    void opensConnectionsAsSendsNeedThemUpToItsMaximum() throws Exception {
        SmtpConnectionPool pool = pool(3, Duration.ofMillis(100), this::open);

        Transport first = pool.borrow();
        pool.giveBack(first, true);
        assertEquals(1, opened.size(), "a second connection was opened for sends one after the other");
        List<Transport> busy = List.of(pool.borrow(), pool.borrow(), pool.borrow());

        assertEquals(3, opened.size());
        assertThrows(Overloaded.class, pool::borrow);
        assertEquals(3, opened.size());
        assertEquals(3, meters.busy());
        busy.forEach(connection -> pool.giveBack(connection, true));
        assertEquals(3, meters.idle());
    }

    @Test
    void aConnectionUsedAMomentAgoIsReusedWithoutAskingWhetherItLives() throws Exception {
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), this::open);
        Transport connection = pool.borrow();
        pool.giveBack(connection, true);

        now.addAndGet(SmtpConnectionPool.TRUSTED_WITHOUT_CHECK.toNanos());
        Transport again = pool.borrow();

        assertSame(connection, again);
        assertEquals(0, opened.getFirst().checks.get(), "a NOOP was asked of a connection used a moment ago");
    }

    @Test
    void aConnectionIdleForLongerIsAskedFirstAndReplacedWhenDead() throws Exception {
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), this::open);
        Transport connection = pool.borrow();
        pool.giveBack(connection, true);
        opened.getFirst().alive = false;

        now.addAndGet(SmtpConnectionPool.TRUSTED_WITHOUT_CHECK.plusMillis(1).toNanos());
        Transport replacement = pool.borrow();

        assertEquals(1, opened.getFirst().checks.get());
        assertTrue(opened.getFirst().closed, "the dead connection was not closed");
        assertSame(opened.get(1), replacement);
    }

    @Test
    void connectionsIdleBeyondTheLimitAreClosed() throws Exception {
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), this::open);
        Transport older = pool.borrow();
        Transport newer = pool.borrow();
        pool.giveBack(older, true);
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        pool.giveBack(newer, true);

        now.addAndGet(Duration.ofSeconds(31).toNanos());
        pool.closeIdleConnections();

        assertTrue(opened.get(0).closed, "the connection idle for 61 s is still open");
        assertFalse(opened.get(1).closed, "the connection idle for 31 s was closed");
        assertEquals(1, meters.idle());
    }

    @Test
    void aServerRefusingAConnectionForItsLimitLowersTheMaximumAndTheSendWaitsForAnOpenOne() throws Exception {
        SmtpConnectionPool pool = pool(8, Duration.ofSeconds(30), () -> {
            if (opened.size() == 2) {
                throw new MessagingException("Got bad greeting from SMTP host: smtp.example.com, port: 587, response: "
                        + "421 4.7.0 Too many concurrent SMTP connections");
            }
            return open();
        });
        Transport first = pool.borrow();
        Transport second = pool.borrow();

        CompletableFuture<Transport> third = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.borrow();
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        });
        while (pool.maximum() != 2) {
            assertFalse(third.isDone(), "the send failed instead of waiting: " + third);
            Thread.sleep(5);
        }
        pool.giveBack(first, true);

        assertSame(first, third.get(10, TimeUnit.SECONDS));
        assertEquals(2, opened.size(), "a connection beyond the server's limit was opened");
        assertEquals(2, meters.busy());
    }

    @Test
    void aRefusalWithNoConnectionOpenFailsTheSend() {
        SmtpConnectionPool pool = pool(8, Duration.ofSeconds(1), () -> {
            throw new MessagingException("Got bad greeting from SMTP host: smtp.example.com, port: 587, response: 421 busy");
        });

        MessagingException refusal = assertThrows(MessagingException.class, pool::borrow);

        assertTrue(refusal.getMessage().contains("421"), refusal.getMessage());
        assertEquals(8, pool.maximum());
    }
}
