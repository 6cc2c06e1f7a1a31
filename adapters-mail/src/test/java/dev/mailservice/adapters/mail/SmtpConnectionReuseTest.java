package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connection reuse against GreenMail, through a proxy that counts and cuts connections. */
class SmtpConnectionReuseTest {

    /** Longer than any test: no connection is closed for idling under one. */
    private static final Duration IDLE_LIMIT = Duration.ofMinutes(5);

    /** TLS as the JDK trusts it by default. */
    private static final Optional<SSLSocketFactory> JDK_TLS = Optional.empty();

    private static final int POOL_SIZE = 3;

    @RegisterExtension
    static final GreenMailExtension SMTP_SERVER =
            new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

    private TcpProxy proxy;
    private MailTransport transport;

    @BeforeEach
    void connectThroughTheProxy() throws Exception {
        proxy = new TcpProxy(SMTP_SERVER.getSmtp().getPort());
        transport = TestTransports.create(TestTransports.factory(Duration.ofSeconds(5), POOL_SIZE, IDLE_LIMIT, false,
                JDK_TLS), SmtpConfiguration.of("127.0.0.1", proxy.port(), null, null, "noreply@example.com", false));
    }

    @AfterEach
    void close() throws Exception {
        transport.close();
        proxy.close();
    }

    private static MailMessage message(int number) {
        return new MailMessage(List.of(new EmailAddress("alice@example.com")), List.of(), "message " + number,
                "<p>" + number + "</p>", Integer.toString(number), List.of());
    }

    @Test
    void sequentialSendsShareOneConnection() {
        for (int i = 0; i < 10; i++) {
            MailMessage message = message(i);
            transport.send(() -> message);
        }

        assertEquals(10, SMTP_SERVER.getReceivedMessages().length);
        assertEquals(1, proxy.connectionsAccepted());
    }

    @Test
    void aConnectionIdleBeyondTheLimitIsClosedAndTheNextSendOpensAnother() throws Exception {
        JakartaMailTransportFactory factory = TestTransports.factory(Duration.ofSeconds(5), POOL_SIZE,
                Duration.ofMillis(200), false, JDK_TLS);
        try (MailTransport shortLived = TestTransports.create(factory, SmtpConfiguration.of("127.0.0.1", proxy.port(),
                null, null, "noreply@example.com", false))) {
            shortLived.send(() -> message(1));
            assertEquals(1, factory.meters().opened());

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (factory.meters().idle() > 0) {
                assertTrue(System.nanoTime() < deadline, "the idle connection was never closed");
                Thread.sleep(20);
            }
            shortLived.send(() -> message(2));

            assertEquals(2, proxy.connectionsAccepted());
            assertEquals(2, factory.meters().opened());
            assertEquals(2, SMTP_SERVER.getReceivedMessages().length);
        }
    }

    @Test
    void concurrentSendsOpenNoMoreConnectionsThanThePoolHolds() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int number = i;
                sends.add(senders.submit(() -> transport.send(() -> message(number))));
            }
            for (Future<?> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
        } finally {
            senders.shutdownNow();
        }

        assertEquals(40, SMTP_SERVER.getReceivedMessages().length);
        assertTrue(proxy.connectionsAccepted() <= POOL_SIZE, proxy.connectionsAccepted() + " connections");
    }

    @Test
    void aSendWaitingForAConnectionComposesItsMessageOnlyOnceItHasOne() throws Exception {
        transport.close();
        JakartaMailTransportFactory factory = TestTransports.factory(Duration.ofSeconds(5), 1, IDLE_LIMIT,
                false, JDK_TLS);
        transport = TestTransports.create(factory, SmtpConfiguration.of("127.0.0.1", proxy.port(), null, null,
                "noreply@example.com", false));
        CountDownLatch firstHasTheConnection = new CountDownLatch(1);
        CountDownLatch firstMayGoOn = new CountDownLatch(1);
        AtomicInteger secondComposed = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(2);
        try {
            Future<?> first = senders.submit(() -> transport.send(() -> {
                firstHasTheConnection.countDown();
                await(firstMayGoOn);
                return message(1);
            }));
            await(firstHasTheConnection);
            Future<?> second = senders.submit(() -> transport.send(() -> {
                secondComposed.incrementAndGet();
                return message(2);
            }));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (factory.meters().waited() < 1) {
                assertTrue(System.nanoTime() < deadline, "the second send never waited for the connection");
                Thread.sleep(5);
            }

            assertEquals(0, secondComposed.get(), "composed while every connection was busy");
            firstMayGoOn.countDown();
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
        } finally {
            senders.shutdownNow();
        }

        assertEquals(1, secondComposed.get());
        assertEquals(2, SMTP_SERVER.getReceivedMessages().length);
        assertEquals(1, proxy.connectionsAccepted());
    }

    @Test
    void aMessageThatCannotBeComposedLeavesItsConnectionToTheNextSend() {
        transport.send(() -> message(1));

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> transport.send(() -> {
            throw new IllegalStateException("no template");
        }));
        transport.send(() -> message(2));

        assertEquals("no template", refused.getMessage());
        assertEquals(2, SMTP_SERVER.getReceivedMessages().length);
        assertEquals(1, proxy.connectionsAccepted(), "the connection was dropped though nothing was written on it");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "timed out waiting for a latch");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void aConnectionCutWhileIdleIsReplacedAndTheMessageGoesOutOnce() throws Exception {
        // Checked before reuse however recently it was used, as one idle for a while would be.
        transport.close();
        transport = TestTransports.create(new JakartaMailTransportFactory(TestTransports.settings(Duration.ofSeconds(5),
                POOL_SIZE, IDLE_LIMIT, false), JDK_TLS, Duration.ZERO, JakartaMailTransportFactory.RECOVER_AFTER),
                SmtpConfiguration.of("127.0.0.1", proxy.port(), null, null, "noreply@example.com", false));
        transport.send(() -> message(1));
        proxy.cutAll();

        transport.send(() -> message(2));

        assertEquals(2, SMTP_SERVER.getReceivedMessages().length, "a message was lost or sent twice");
        assertEquals("message 2", SMTP_SERVER.getReceivedMessages()[1].getSubject());
        assertEquals(2, proxy.connectionsAccepted());
    }

    @Test
    void aMessageTheServerTookWithoutSayingSoIsReportedFailedAndNeverSentAgain() throws Exception {
        transport.send(() -> message(1));
        proxy.cutBeforeTheNextMessageIsAcknowledged();

        DeliveryFailed failure = assertThrows(DeliveryFailed.class, () -> transport.send(() -> message(2)),
                "success was reported without the server's acceptance");
        assertEquals(DeliveryFailed.Ending.UNCERTAIN, failure.ending(), "the caller would send it again: " + failure);

        assertEquals(2, SMTP_SERVER.getReceivedMessages().length, "the unacknowledged message was sent again");
        transport.send(() -> message(3));
        assertEquals(3, SMTP_SERVER.getReceivedMessages().length);
        assertEquals(2, proxy.connectionsAccepted(), "the cut connection was not replaced");
    }

    @Test
    void closingTheTransportClosesItsConnections() throws Exception {
        transport.send(() -> message(1));
        assertEquals(1, proxy.connectionsOpen());

        transport.close();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (proxy.connectionsOpen() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, proxy.connectionsOpen());
    }

    @Test
    void aSenderChangeKeepsTheConnectionsAndACredentialsChangeDoesNot() throws Exception {
        JakartaMailTransportFactory factory = TestTransports.factory(Duration.ofSeconds(5), POOL_SIZE, IDLE_LIMIT, false, JDK_TLS);
        MailTransport before = TestTransports.create(factory,
                SmtpConfiguration.of("127.0.0.1", proxy.port(), null, null, "a@example.com", false));
        before.send(() -> message(1));
        MailTransport newSender = TestTransports.create(factory,
                SmtpConfiguration.of("127.0.0.1", proxy.port(), null, null, "b@example.com", false));
        before.close();

        newSender.send(() -> message(2));

        assertEquals(1, proxy.connectionsAccepted(), "the sender change opened a connection of its own");
        assertEquals("b@example.com", SMTP_SERVER.getReceivedMessages()[1].getFrom()[0].toString());
        MailTransport newCredentials = TestTransports.create(factory,
                SmtpConfiguration.of("127.0.0.1", proxy.port(), "someone", "s3cret", "b@example.com", false));
        assertThrows(DeliveryFailed.class, () -> newCredentials.send(() -> message(3)));
        assertEquals(2, proxy.connectionsAccepted(), "new credentials reused a connection logged in as someone else");
        newCredentials.close();
        newSender.close();
    }
}
