package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.FaultSmtpServer;
import dev.mailservice.testkit.SmtpScenario;
import dev.mailservice.testkit.SmtpScenario.Farewell;
import dev.mailservice.testkit.SmtpScenario.Greeting;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's own rules, over real connections to a {@link FaultSmtpServer} and a clock the test
 * moves for their ages: what it opens, when it asks a connection whether it lives, when it closes
 * one, how it yields to a server's limit and climbs back, and that nothing thrown keeps a place.
 */
class SmtpConnectionPoolTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration IDLE_LIMIT = Duration.ofSeconds(60);
    private static final Duration TRUSTED = Duration.ofSeconds(5);
    private static final Duration RECOVER_AFTER = Duration.ofSeconds(10);
    /** Far above any wait a test expects to end. */
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final AtomicLong now = new AtomicLong();
    private final SmtpMeters meters = new SmtpMeters();
    private FaultSmtpServer server;
    private SmtpConfiguration configuration;
    private Session session;

    @AfterEach
    void stopTheServer() {
        // A test of the places alone has none.
        if (server != null) {
            server.close();
        }
    }

    private void serve(SmtpScenario scenario) {
        server = FaultSmtpServer.start(scenario);
        configuration = SmtpConfiguration.of("127.0.0.1", server.port(), null, null, "noreply@example.com", false);
        session = Session.getInstance(TestTransports.sessionProperties(
                TestTransports.factory(TIMEOUT, 1, IDLE_LIMIT, false, Optional.empty()), configuration));
    }

    private SmtpConnectionPool pool(int maximum, Duration waitLimit, int maxMails) {
        return pool(maximum, waitLimit, maxMails, deadline -> SmtpConnection.open(configuration,
                SmtpCredentials.password(configuration), session, TIMEOUT, deadline));
    }

    private SmtpConnectionPool pool(int maximum, Duration waitLimit, int maxMails, SmtpConnectionPool.Opener opener) {
        return new SmtpConnectionPool(opener, limits(maximum, waitLimit, maxMails), configuration.address(), meters,
                now::get);
    }

    private static SmtpConnectionPool.Limits limits(int maximum, Duration waitLimit, int maxMails) {
        return new SmtpConnectionPool.Limits(maximum, waitLimit, IDLE_LIMIT, maxMails, Duration.ofMinutes(5), TRUSTED,
                RECOVER_AFTER);
    }

    private static long deadline() {
        return System.nanoTime() + PATIENCE.toNanos();
    }

    private void send(SmtpConnection connection, String subject) throws SmtpFailure {
        MailMessage message = new MailMessage(List.of(new EmailAddress("alice@example.com")), List.of(), subject,
                "<p>hi</p>", "hi", List.of());
        MimeMessage mime = JakartaMailTransport.toMime(configuration, session, message);
        try {
            connection.send(mime, List.of(new InternetAddress("alice@example.com")), deadline());
        } catch (jakarta.mail.internet.AddressException e) {
            throw new AssertionError(e);
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "waited " + PATIENCE.toSeconds() + " s for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void opensConnectionsAsSendsNeedThemUpToItsMaximum() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(3, Duration.ofMillis(100), 100);

        SmtpConnection first = pool.borrow(deadline());
        pool.giveBack(first, true);
        assertEquals(1, server.connectionsAccepted(), "a second connection was opened for sends one after the other");
        List<SmtpConnection> busy = List.of(pool.borrow(deadline()), pool.borrow(deadline()), pool.borrow(deadline()));

        assertEquals(3, server.connectionsAccepted());
        assertThrows(Overloaded.class, () -> pool.borrow(deadline()));
        assertEquals(3, server.connectionsAccepted());
        assertEquals(3, meters.busy());
        busy.forEach(connection -> pool.giveBack(connection, true));
        assertEquals(3, meters.idle());
    }

    @Test
    void aConnectionLetGoOfWhileOthersAreLentIsReplacedInTheBackground() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        SmtpConnection first = pool.borrow(deadline());
        SmtpConnection second = pool.borrow(deadline());

        pool.giveBack(first, false);
        waitFor("a spare connection", () -> meters.idle() == 1);
        SmtpConnection spare = pool.borrow(deadline());
        send(spare, "on the spare");

        assertEquals(3, server.connectionsAccepted(), "the send opened a connection though a spare was ready");
        assertEquals(1, server.copiesOf("on the spare"));
        pool.giveBack(spare, true);
        pool.giveBack(second, false);
        pool.giveBack(pool.borrow(deadline()), false);
        Thread.sleep(200);
        assertEquals(3, server.connectionsAccepted(), "a spare was opened with no other send under way");
    }

    @Test
    void aConnectionUsedAMomentAgoIsReusedWithoutAskingWhetherItLives() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        SmtpConnection connection = pool.borrow(deadline());
        pool.giveBack(connection, true);

        now.addAndGet(TRUSTED.toNanos());
        SmtpConnection again = pool.borrow(deadline());

        assertSame(connection, again);
        assertEquals(0, server.commandsReceived("NOOP"), "a NOOP was asked of a connection used a moment ago");
    }

    @Test
    void aConnectionIdleForLongerIsAskedFirstAndKeptWhenItAnswers() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        SmtpConnection connection = pool.borrow(deadline());
        pool.giveBack(connection, true);

        now.addAndGet(TRUSTED.plusMillis(1).toNanos());
        SmtpConnection again = pool.borrow(deadline());

        assertSame(connection, again);
        assertEquals(1, server.commandsReceived("NOOP"));
        assertEquals(1, server.connectionsAccepted());
    }

    @Test
    void aSendWhoseDeadlineHasPassedLeavesTheIdleConnectionsItWouldHaveToAskAsTheyAre() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        List<SmtpConnection> three = List.of(pool.borrow(deadline()), pool.borrow(deadline()), pool.borrow(deadline()));
        three.forEach(connection -> pool.giveBack(connection, true));
        now.addAndGet(TRUSTED.plusMillis(1).toNanos());

        assertThrows(SmtpFailure.class, () -> pool.borrow(System.nanoTime() - 1));

        assertEquals(0, server.commandsReceived("NOOP"));
        assertEquals(3, server.connectionsOpen(), "idle connections were closed unasked");
        assertTrue(three.contains(pool.borrow(deadline())));
        assertEquals(3, server.connectionsAccepted());
    }

    @Test
    void aConnectionIdleForLongerThatTheServerDroppedIsReplacedBeforeTheMail() throws Exception {
        serve(SmtpScenario.behaving().closesIdleConnectionsAfter(Duration.ofMillis(100), Farewell.QUIET));
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        pool.giveBack(pool.borrow(deadline()), true);
        waitFor("the server to drop the idle connection", () -> server.connectionsOpen() == 0);

        now.addAndGet(TRUSTED.plusMillis(1).toNanos());
        SmtpConnection replacement = pool.borrow(deadline());
        send(replacement, "after the drop");

        assertEquals(2, server.connectionsAccepted());
        assertEquals(1, server.copiesOf("after the drop"));
    }

    @Test
    void connectionsIdleBeyondTheLimitAreClosed() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        SmtpConnection older = pool.borrow(deadline());
        SmtpConnection newer = pool.borrow(deadline());
        pool.giveBack(older, true);
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        pool.giveBack(newer, true);

        now.addAndGet(Duration.ofSeconds(31).toNanos());
        pool.closeIdleConnections();

        waitFor("the connection idle for 61 s to say QUIT", () -> server.commandsReceived("QUIT") == 1);
        assertEquals(1, meters.idle());
        now.addAndGet(TRUSTED.toNanos() - Duration.ofSeconds(31).toNanos());
        assertSame(newer, pool.borrow(deadline()), "the connection idle for 31 s was not kept");
    }

    @Test
    void aConnectionThatCarriedItsMailsIsClosedInsteadOfKept() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 2);

        for (int mail = 1; mail <= 3; mail++) {
            SmtpConnection connection = pool.borrow(deadline());
            send(connection, "mail " + mail);
            pool.giveBack(connection, true);
        }

        waitFor("the worn-out connection to say QUIT", () -> server.commandsReceived("QUIT") == 1);
        assertEquals(2, server.connectionsAccepted(), "two mails on the first connection, the third on a fresh one");
        assertEquals(1, meters.idle());
    }

    @Test
    void aServerThatKeepsClosingConnectionsAfterTheSameMailsTeachesThePoolItsLimit() throws Exception {
        serve(SmtpScenario.behaving().answersMailFrom(moment -> moment.mailOnConnection() == 4,
                "421 4.7.0 Too many messages on this connection"));
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        closedUnderItsFourthMail(pool, 1);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        closedUnderItsFourthMail(pool, 2);

        SmtpConnection third = pool.borrow(deadline());
        send(third, "third 1");
        send(third, "third 2");
        pool.giveBack(third, true);
        assertEquals(1, meters.idle(), "a connection was closed before it carried three mails");
        assertSame(third, pool.borrow(deadline()));
        send(third, "third 3");
        pool.giveBack(third, true);

        waitFor("the third connection to be closed once it carried three mails", () -> server.commandsReceived("QUIT") == 1);
        assertEquals(0, meters.idle());
        assertEquals(9, server.deliveries().size());
        assertEquals(0, server.copiesOf("under the close"));
    }

    @Test
    void closesAfterTheSameMailsAllAtOnceTeachThePoolNothing() throws Exception {
        serve(SmtpScenario.behaving().answersMailFrom(moment -> moment.mailOnConnection() == 4,
                "421 4.7.0 Too many messages on this connection"));
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        closedUnderItsFourthMail(pool, 1);
        closedUnderItsFourthMail(pool, 2);

        SmtpConnection third = pool.borrow(deadline());
        for (int mail = 1; mail <= 3; mail++) {
            send(third, "third " + mail);
        }
        pool.giveBack(third, true);

        assertEquals(1, meters.idle(), "a burst of closes, as a restarted server makes, taught the pool a limit");
    }

    /** Sends three mails on a new connection, and a fourth that the server closes the connection under. */
    private void closedUnderItsFourthMail(SmtpConnectionPool pool, int connection) throws Exception {
        SmtpConnection closing = pool.borrow(deadline());
        for (int mail = 1; mail <= 3; mail++) {
            send(closing, "connection " + connection + " mail " + mail);
        }
        SmtpFailure closed = assertThrows(SmtpFailure.class, () -> send(closing, "under the close"));
        assertEquals(SmtpFailure.Reason.CONNECTION_CLOSED, closed.reason());
        pool.closedByServer(closing);
        pool.giveBack(closing, false);
    }

    @Test
    void aConnectionThatGrewOldIsClosedInsteadOfLentThoughNeverIdleLong() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(4, Duration.ofSeconds(1), 100);
        SmtpConnection old = pool.borrow(deadline());
        pool.giveBack(old, true);
        // Used every 50 s, under the idle limit, for five minutes.
        for (int use = 1; use < 6; use++) {
            now.addAndGet(Duration.ofSeconds(50).toNanos());
            SmtpConnection again = pool.borrow(deadline());
            assertSame(old, again, "use " + use);
            pool.giveBack(again, true);
        }

        now.addAndGet(Duration.ofSeconds(50).toNanos());
        SmtpConnection lent = pool.borrow(deadline());

        assertFalse(lent == old, "a connection five minutes old was lent again");
        waitFor("the old connection to say QUIT", () -> server.commandsReceived("QUIT") == 1);
        assertEquals(2, server.connectionsAccepted());
    }

    @Test
    void aServerRefusingAConnectionForItsLimitLowersTheMaximumAndTheSendWaitsForAnOpenOne() throws Exception {
        serve(SmtpScenario.behaving().greets(connection -> connection == 3,
                new Greeting.Reply("421 4.7.0 Too many concurrent SMTP connections")));
        SmtpConnectionPool pool = pool(8, PATIENCE, 100);
        SmtpConnection first = pool.borrow(deadline());
        SmtpConnection second = pool.borrow(deadline());

        CompletableFuture<SmtpConnection> third = borrowingAsync(pool);
        waitFor("the maximum to come down to 2", () -> {
            assertFalse(third.isDone(), "the send failed instead of waiting: " + third);
            return pool.maximum() == 2;
        });
        pool.giveBack(first, true);

        assertSame(first, third.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(3, server.connectionsAccepted(), "a connection beyond the server's refusal was opened");
        assertEquals(2, meters.busy());
        pool.giveBack(second, true);
    }

    @Test
    void aLoweredMaximumClimbsBackByOneAfterAQuietSpellWhenASendWouldWait() throws Exception {
        serve(SmtpScenario.behaving().greets(connection -> connection == 3,
                new Greeting.Reply("421 4.7.0 Too many concurrent SMTP connections")));
        SmtpConnectionPool pool = pool(8, PATIENCE, 100);
        SmtpConnection first = pool.borrow(deadline());
        SmtpConnection second = pool.borrow(deadline());
        CompletableFuture<SmtpConnection> third = borrowingAsync(pool);
        waitFor("the maximum to come down to 2", () -> pool.maximum() == 2);
        pool.giveBack(first, true);
        SmtpConnection waited = third.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        now.addAndGet(RECOVER_AFTER.minusMillis(1).toNanos());
        Overloaded overloaded = assertThrows(Overloaded.class,
                () -> pool.borrow(System.nanoTime() + Duration.ofMillis(200).toNanos()));
        assertEquals(2, pool.maximum(), "climbed back before a quiet spell");
        // Its deadline, not the pool's wait limit, ended the wait: the refusal says what was waited.
        assertTrue(overloaded.getMessage().endsWith(" ms, until the send's deadline"), overloaded.getMessage());
        long saidWaited = saidWaited(overloaded);
        assertTrue(saidWaited >= 100 && saidWaited < PATIENCE.toMillis(), overloaded.getMessage());
        now.addAndGet(Duration.ofMillis(1).toNanos());
        SmtpConnection fourth = pool.borrow(deadline());

        assertEquals(3, pool.maximum());
        assertEquals(4, server.connectionsAccepted(), "no connection was tried beyond the lowered maximum");
        List.of(second, waited, fourth).forEach(connection -> pool.giveBack(connection, true));
    }

    /**
     * A send that waited, then was refused by the server for its limit, waits again within what is
     * left of the wait limit, and its refusal counts both waits.
     */
    @Test
    void aSendSentBackToWaitByARefusalHasOneWaitLimitForAllItsWaits() throws Exception {
        serve(SmtpScenario.behaving().greets(connection -> connection == 3,
                new Greeting.Reply("421 4.7.0 Too many concurrent SMTP connections")));
        Duration waitLimit = Duration.ofMillis(1000);
        SmtpConnectionPool pool = pool(2, waitLimit, 100);
        SmtpConnection first = pool.borrow(deadline());
        SmtpConnection second = pool.borrow(deadline());
        long started = System.nanoTime();
        CompletableFuture<SmtpConnection> third = borrowingAsync(pool);

        Thread.sleep(600);
        pool.giveBack(second, false);
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> third.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

        assertEquals(3, server.connectionsAccepted());
        Overloaded overloaded = assertInstanceOf(Overloaded.class, refused.getCause());
        assertTrue(overloaded.getMessage().endsWith(" ms"), overloaded.getMessage());
        // The whole wait limit, no more (a second limit would make it 1600 ms): the first wait (600 ms) is
        // counted, and what the send took besides, the opening the server refused, is far less than it.
        long saidWaited = saidWaited(overloaded);
        assertTrue(saidWaited >= waitLimit.toMillis() - 10 && saidWaited < waitLimit.toMillis() + 250
                && tookMillis - saidWaited < 450, overloaded.getMessage() + ", after " + tookMillis + " ms");
        pool.giveBack(first, true);
    }

    @Test
    void aSendWhoseDeadlineHasPassedIsToldItHadNoTimeToWait() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(1, PATIENCE, 100);
        SmtpConnection only = pool.borrow(deadline());

        Overloaded overloaded = assertThrows(Overloaded.class, () -> pool.borrow(System.nanoTime() - 1));

        assertEquals("All 1 connections to the SMTP server " + configuration.address() + " were busy, and the send's "
                + "deadline left no time to wait for one", overloaded.getMessage());
        pool.giveBack(only, true);
    }

    /** A wait limit of next to nothing (a setting of 1 ms) ends the wait, not the send's deadline. */
    @Test
    void aSendWhoseWaitLimitEndsFirstIsNotSaidToHaveHadNoTime() throws Exception {
        serve(SmtpScenario.behaving());
        SmtpConnectionPool pool = pool(1, Duration.ofNanos(1), 100);
        SmtpConnection only = pool.borrow(deadline());

        Overloaded overloaded = assertThrows(Overloaded.class, () -> pool.borrow(deadline()));

        assertTrue(overloaded.getMessage().matches("All 1 connections to the SMTP server \\S+ stayed busy for \\d+ ms"),
                overloaded.getMessage());
        pool.giveBack(only, true);
    }

    @Test
    void aRefusalWithNoConnectionOpenFailsTheSendAndLeavesTheMaximum() {
        serve(SmtpScenario.behaving().greets(connection -> true, new Greeting.Reply("421 4.3.2 busy")));
        SmtpConnectionPool pool = pool(8, Duration.ofSeconds(1), 100);

        SmtpFailure refusal = assertThrows(SmtpFailure.class, () -> pool.borrow(deadline()));

        assertTrue(refusal.getMessage().contains("421 4.3.2 busy"), refusal.getMessage());
        assertEquals(SmtpFailure.Reason.TEMPORARY_REFUSAL, refusal.reason());
        assertEquals(8, pool.maximum());
    }

    @Test
    void whateverAnOpeningThrowsItsPlaceIsGivenBack() throws Exception {
        serve(SmtpScenario.behaving());
        AtomicBoolean thrown = new AtomicBoolean();
        SmtpConnectionPool pool = pool(1, Duration.ofMillis(200), 100, deadline -> {
            if (thrown.compareAndSet(false, true)) {
                throw new OutOfMemoryError("a server that filled the heap");
            }
            return SmtpConnection.open(configuration, SmtpCredentials.password(configuration), session, TIMEOUT,
                    deadline);
        });

        assertThrows(OutOfMemoryError.class, () -> pool.borrow(deadline()));
        SmtpConnection connection = pool.borrow(deadline());
        send(connection, "after the error");

        assertEquals(1, server.copiesOf("after the error"));
        assertEquals(1, meters.busy());
    }

    /**
     * A place given back goes to the send that waits for it, not to one that asks for a place just
     * then (a send trying again after a refusal, a spare being opened): that one waits its turn.
     */
    @Test
    void aSendThatWaitsIsNotOvertakenByOneAskingAsAPlaceIsFreed() throws Exception {
        ConnectionPlaces places = new ConnectionPlaces(limits(1, PATIENCE, 100), "smtp.example.com:587", meters, now::get);
        places.take(deadline(), true, 0);
        // Whether the send in line wakes before the other asks is a race: run often, an overtaking shows.
        for (int round = 1; round <= 20; round++) {
            CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> places.take(deadline(), true, 0));
            waitFor("a send to wait in line", SmtpConnectionPoolTest::aSendWaitsInLine);

            places.free();
            boolean overtook = places.tryTake();

            assertFalse(overtook, "round " + round + ": the place freed went to one asking just then, not to the send "
                    + "waiting for it");
            // The send in line has the place now, for the next round's to wait for.
            waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Whether a thread waits in line for a place: parked, with a timeout, in {@link ConnectionPlaces#take}. */
    private static boolean aSendWaitsInLine() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(thread ->
                thread.getKey().getState() == Thread.State.TIMED_WAITING && Arrays.stream(thread.getValue()).anyMatch(
                        frame -> frame.getClassName().equals(ConnectionPlaces.class.getName())
                                && frame.getMethodName().equals("take")));
    }

    /** How long a refusal for busy connections says the send waited. */
    private static long saidWaited(Overloaded overloaded) {
        return Long.parseLong(overloaded.getMessage().replaceAll(".* stayed busy for (\\d+) ms.*", "$1"));
    }

    private static CompletableFuture<SmtpConnection> borrowingAsync(SmtpConnectionPool pool) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return pool.borrow(deadline());
            } catch (SmtpFailure e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
