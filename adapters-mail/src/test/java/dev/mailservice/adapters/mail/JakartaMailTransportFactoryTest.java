package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.TestCertificates;
import dev.mailservice.testkit.TestSmtpServer;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Jakarta Mail adapter against a real SMTP server (GreenMail) on a free loopback port. */
class JakartaMailTransportFactoryTest {

    /** Longer than any test: no connection is closed for idling under one. */
    private static final Duration IDLE_LIMIT = Duration.ofMinutes(5);

    /** TLS as the JDK trusts it by default. */
    private static final Optional<SSLSocketFactory> JDK_TLS = Optional.empty();

    private static final String USER = "ops";
    private static final String RIGHT_PASSWORD = "right-Pa55word";

    @RegisterExtension
    static final GreenMailExtension SMTP_SERVER = new GreenMailExtension(
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.com", USER, RIGHT_PASSWORD));

    private final JakartaMailTransportFactory factory = TestTransports.factory(Duration.ofSeconds(5), 2, IDLE_LIMIT, false, JDK_TLS);

    private static int smtpPort() {
        return SMTP_SERVER.getSmtp().getPort();
    }

    private static MailMessage message(String subject) {
        return new MailMessage(List.of(new EmailAddress("alice@example.com")), List.of(), subject,
                "<p>Hello <b>Alice</b></p>", "Hello Alice", List.of());
    }

    private static void sendWith(SmtpConfiguration configuration, MailMessage message) {
        sendWith(TestTransports.factory(Duration.ofSeconds(5), 2, IDLE_LIMIT, false, JDK_TLS), configuration, message);
    }

    private static void sendWith(JakartaMailTransportFactory factory, SmtpConfiguration configuration, MailMessage message) {
        try (MailTransport transport = factory.create(configuration, SmtpCredentials.password(configuration))) {
            transport.send(() -> message);
        }
    }

    @Test
    void theFromHeaderShowsTheDisplayNameBesideTheAddress() throws Exception {
        sendWith(SmtpConfiguration.of("127.0.0.1", smtpPort(), null, null, "Zoë & Co <noreply@example.com>", false),
                message("Named"));

        InternetAddress from = (InternetAddress) SMTP_SERVER.getReceivedMessages()[0].getFrom()[0];
        assertEquals("Zoë & Co", from.getPersonal());
        assertEquals("noreply@example.com", from.getAddress());
    }

    @Test
    void aPasswordWithoutAUsernameSendsWithoutLoggingIn() throws Exception {
        // The server offers AUTH and refuses every login but ops's: had the send tried one, it would have failed.
        try (TestSmtpServer server = TestSmtpServer.start(options -> options.login(USER, RIGHT_PASSWORD))) {
            sendWith(SmtpConfiguration.of("127.0.0.1", server.port(), null, "a-lonely-Pa55", "noreply@example.com", false),
                    message("No login"));

            assertEquals(1, server.mails().size());
        }
    }

    @Test
    void anAddressInBothToAndCcGetsOneCopy() throws Exception {
        sendWith(SmtpConfiguration.of("127.0.0.1", smtpPort(), null, null, "noreply@example.com", false),
                new MailMessage(List.of(new EmailAddress("alice@example.com"), new EmailAddress("bob@example.com")),
                        List.of(new EmailAddress("Alice@Example.com")), "Twice", "<p>Hi</p>", "Hi", List.of()));

        // One copy for each recipient the server took: alice once, bob once.
        assertEquals(2, SMTP_SERVER.getReceivedMessages().length);
        assertEquals("Alice@Example.com", SMTP_SERVER.getReceivedMessages()[0].getHeader("Cc", ","));
    }

    @Test
    void aUsernameWithoutAPasswordIsRefusedWithoutAnAttempt() {
        DeliveryFailed error = assertThrows(DeliveryFailed.class, () -> sendWith(
                SmtpConfiguration.of("127.0.0.1", smtpPort(), "ops", null, "noreply@example.com", false), message("x")));

        assertEquals(DeliveryFailed.Ending.REFUSED, error.ending());
        assertEquals(0, error.attempts());
        assertEquals("The SMTP server 127.0.0.1:" + smtpPort() + " cannot be logged in to: the configuration sets a "
                + "username but no password; set the password, or remove the username to send without a login; "
                + "nothing was delivered", error.getMessage());
        assertEquals(0, SMTP_SERVER.getReceivedMessages().length);
    }

    @Test
    void sendsWithoutAuthentication() throws Exception {
        sendWith(SmtpConfiguration.of("127.0.0.1", smtpPort(), null, null, "noreply@example.com", false), message("Plain"));

        MimeMessage[] received = SMTP_SERVER.getReceivedMessages();
        assertEquals(1, received.length);
        MimeMessage mail = received[0];
        assertEquals("Plain", mail.getSubject());
        assertEquals("noreply@example.com", mail.getFrom()[0].toString());
        assertEquals("alice@example.com", mail.getRecipients(Message.RecipientType.TO)[0].toString());
        Multipart alternative = (Multipart) mail.getContent();
        assertTrue(mail.getContentType().startsWith("multipart/alternative"), mail.getContentType());
        assertEquals("Hello Alice", alternative.getBodyPart(0).getContent());
        assertTrue(alternative.getBodyPart(0).isMimeType("text/plain"));
        assertEquals("<p>Hello <b>Alice</b></p>", alternative.getBodyPart(1).getContent());
        assertTrue(alternative.getBodyPart(1).isMimeType("text/html"));
    }

    @Test
    void sendsWithSmtpAuthentication() throws Exception {
        sendWith(SmtpConfiguration.of("127.0.0.1", smtpPort(), USER, RIGHT_PASSWORD, "ops@example.com", false),
                message("Authenticated"));

        assertEquals(1, SMTP_SERVER.getReceivedMessages().length);
        assertEquals("Authenticated", SMTP_SERVER.getReceivedMessages()[0].getSubject());
    }

    /**
     * Angus, given a login and a server that offers no AUTH, sends without logging in; the login set
     * would silently go unused. The refusal says what the server offers instead of quoting its last
     * reply, which refused nothing.
     */
    @Test
    void aLoginWithAServerOfferingNoAuthIsRefusedSayingSoAndSendsNothing() {
        try (TestSmtpServer noAuth = TestSmtpServer.start(options -> {})) {
            SmtpConfiguration login = SmtpConfiguration.of("127.0.0.1", noAuth.port(), USER, RIGHT_PASSWORD,
                    "ops@example.com", false);

            DeliveryFailed error = assertThrows(DeliveryFailed.class, () -> sendWith(login, message("x")));

            assertEquals(DeliveryFailed.Ending.REFUSED, error.ending());
            assertEquals("The SMTP server 127.0.0.1:" + noAuth.port() + " cannot log in user 'ops': it offers no SMTP "
                    + "AUTH on this connection in plain text, nor STARTTLS to upgrade it: it may offer AUTH only over "
                    + "TLS, as on its implicit TLS port (usually 465, with secure true); if it is a relay that takes mail "
                    + "from this network without a login, remove the username (1 attempt); nothing was delivered",
                    error.getMessage());
            assertEquals(List.of(), noAuth.mails());
        }
    }

    @Test
    void aLoginWithAServerOfferingNoMechanismItSpeaksSaysWhatTheServerOffers() {
        try (TestSmtpServer cram = TestSmtpServer.start(options -> options.onlyMechanism("CRAM-MD5"))) {
            SmtpConfiguration login = SmtpConfiguration.of("127.0.0.1", cram.port(), USER, RIGHT_PASSWORD,
                    "ops@example.com", false);

            DeliveryFailed error = assertThrows(DeliveryFailed.class, () -> sendWith(login, message("x")));

            assertEquals("The SMTP server 127.0.0.1:" + cram.port() + " offers no login mechanism this service speaks "
                    + "(LOGIN PLAIN DIGEST-MD5 NTLM): it offers AUTH CRAM-MD5 (1 attempt); nothing was delivered",
                    error.getMessage());
            assertEquals(List.of(), cram.mails());
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorThatDoesNotShowThePassword() {
        SmtpConfiguration wrong = SmtpConfiguration.of("127.0.0.1", smtpPort(), USER, "wrong-Pa55word", "ops@example.com", false);

        DeliveryFailed error = assertThrows(DeliveryFailed.class, () -> sendWith(wrong, message("x")));

        assertTrue(error.getMessage().startsWith("The SMTP server 127.0.0.1:" + smtpPort()
                + " refused the login of user 'ops': 535"), error.getMessage());
        assertFalse(error.getMessage().contains("wrong-Pa55word"));
        assertEquals(0, SMTP_SERVER.getReceivedMessages().length);
    }

    @Test
    void sendsCarbonCopiesAndAttachments() throws Exception {
        byte[] pdf = {'%', 'P', 'D', 'F', 0, 1, 2, (byte) 0xff};
        MailMessage withExtras = new MailMessage(
                List.of(new EmailAddress("alice@example.com")),
                List.of(new EmailAddress("bob@example.com")),
                "Report \u00e9t\u00e9",
                "<p>see attached</p>",
                "see attached",
                List.of(new MailMessage.Attachment("report.pdf", "application/pdf", pdf)));

        sendWith(SmtpConfiguration.of("127.0.0.1", smtpPort(), null, null, "noreply@example.com", false), withExtras);

        MimeMessage[] received = SMTP_SERVER.getReceivedMessages();
        assertEquals(2, received.length, "one copy for the To and one for the Cc recipient");
        MimeMessage mail = received[0];
        assertEquals("Report \u00e9t\u00e9", mail.getSubject());
        assertEquals("bob@example.com", mail.getRecipients(Message.RecipientType.CC)[0].toString());
        Multipart mixed = (Multipart) mail.getContent();
        assertEquals(2, mixed.getCount());
        assertTrue(mixed.getBodyPart(0).isMimeType("multipart/alternative"));
        Part attachment = mixed.getBodyPart(1);
        assertEquals("report.pdf", attachment.getFileName());
        assertTrue(attachment.isMimeType("application/pdf"));
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        attachment.getDataHandler().writeTo(content);
        assertArrayEquals(pdf, content.toByteArray());
    }

    @Test
    void aRefusedConnectionIsAClearError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        SmtpConfiguration configuration = SmtpConfiguration.of("127.0.0.1", closedPort, null, null, "a@example.com", false);

        MailTransport transport = new JakartaMailTransportFactory(TestTransports.settings(Duration.ofSeconds(5), 1,
                IDLE_LIMIT, false).withSendDeadline(Duration.ofSeconds(1)), JDK_TLS).create(configuration,
                SmtpCredentials.password(configuration));
        DeliveryFailed error = assertThrows(DeliveryFailed.class, () -> transport.send(() -> message("x")));

        assertTrue(error.getMessage().startsWith("Cannot connect to the SMTP server 127.0.0.1:" + closedPort),
                error.getMessage());
        assertEquals(DeliveryFailed.Ending.TEMPORARY, error.ending());
        assertTrue(error.attempts() > 1, "a server that may come back was tried once: " + error.getMessage());
    }

    @Test
    void aServerThatNeverAnswersEndsTheSendAtItsDeadlineInsteadOfHanging() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try (Socket ignored = silent.accept()) {
                    Thread.sleep(Duration.ofSeconds(30));
                } catch (Exception stopped) {
                    // the test is over
                }
            });
            SmtpConfiguration configuration =
                    SmtpConfiguration.of("127.0.0.1", silent.getLocalPort(), null, null, "a@example.com", false);
            MailTransport transport = TestTransports.factory(Duration.ofMillis(300), 1, IDLE_LIMIT, false, JDK_TLS)
                    .create(configuration, SmtpCredentials.password(configuration));

            // A guard against a hang, not a speed target: the timeout is 300 ms, the deadline 900 ms.
            DeliveryFailed error = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(DeliveryFailed.class, () -> transport.send(() -> message("x"))));

            assertTrue(error.getMessage().startsWith("No answer from the SMTP server 127.0.0.1:" + silent.getLocalPort()),
                    error.getMessage());
            assertEquals(DeliveryFailed.Ending.TEMPORARY, error.ending());
            acceptor.interrupt();
        }
    }

    /**
     * Each server speaks one way only (TLS from its first byte, or plain text that must be upgraded
     * before a mail), so a mail delivered shows the send spoke that way; port 465's implicit TLS is
     * {@link SmtpConfiguration#implicitTls()}'s, tested in the domain.
     */
    @Test
    void aSecureConfigurationSpeaksTlsFromTheFirstByteAnyOtherUpgradesAndBothCheckTheServersName(
            @TempDir Path certificates) throws Exception {
        TestCertificates.create(certificates);
        TestCertificates.createServer(certificates, "other", "DNS:mail.example.test", 2);
        SSLContext named = TestCertificates.serving(certificates, TestCertificates.SERVER_CERTIFICATE_FILE,
                TestCertificates.SERVER_KEY_FILE);
        SSLContext otherName = TestCertificates.serving(certificates, "other.pem", "other.key");
        Optional<SSLSocketFactory> testTrust = Optional.of(
                TestCertificates.trustingOnly(certificates.resolve(TestCertificates.CA_FILE)).getSocketFactory());
        try (TestSmtpServer implicit = TestSmtpServer.start(options -> options.implicitTls(named));
                TestSmtpServer upgrading = TestSmtpServer.start(options -> options.startTls(named));
                TestSmtpServer implicitOtherName = TestSmtpServer.start(options -> options.implicitTls(otherName));
                TestSmtpServer upgradingOtherName = TestSmtpServer.start(options -> options.startTls(otherName))) {
            JakartaMailTransportFactory trusting = TestTransports.factory(Duration.ofSeconds(5), 1, IDLE_LIMIT, false, testTrust);

            sendWith(trusting, SmtpConfiguration.of("127.0.0.1", implicit.port(), null, null, "noreply@example.com", true),
                    message("Implicit TLS"));
            sendWith(trusting, SmtpConfiguration.of("127.0.0.1", upgrading.port(), null, null, "noreply@example.com", false),
                    message("STARTTLS"));

            assertEquals(1, implicit.mails().size());
            assertEquals(1, upgrading.mails().size());
            for (SmtpConfiguration misnamed : List.of(
                    SmtpConfiguration.of("127.0.0.1", implicitOtherName.port(), null, null, "noreply@example.com", true),
                    SmtpConfiguration.of("127.0.0.1", upgradingOtherName.port(), null, null, "noreply@example.com", false))) {
                assertThrows(DeliveryFailed.class, () -> sendWith(trusting, misnamed, message("Misnamed")),
                        misnamed.toString());
            }
            assertEquals(List.of(), implicitOtherName.mails());
            assertEquals(List.of(), upgradingOtherName.mails());
        }
    }

    /**
     * The trust the service is given (the JDK's authorities and {@code TLS_CA_FILE}'s) makes every
     * TLS connection, implicit or upgraded, without extra authorities the JDK's own; layered over the
     * {@link SmtpSocket} each connection is. Checked on the session's settings; the sends over TLS are
     * tested against real servers elsewhere.
     */
    @Test
    void everyTlsConnectionIsMadeWithTheGivenTrust() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLSocketFactory deploymentTrust = context.getSocketFactory();
        JakartaMailTransportFactory withTrust = TestTransports.factory(Duration.ofSeconds(5), 1, IDLE_LIMIT, false,
                Optional.of(deploymentTrust));

        for (int port : new int[] {465, 587}) {
            Properties properties = TestTransports.sessionProperties(withTrust, SmtpConfiguration.of("smtp.example.com",
                    port, null, null, "a@b.c", false));
            assertSame(deploymentTrust, properties.get("mail.smtp.ssl.socketFactory"), "port " + port);
        }
        Object jdkTrust = TestTransports.sessionProperties(factory,
                SmtpConfiguration.of("smtp.example.com", 465, null, null, "a@b.c", false)).get("mail.smtp.ssl.socketFactory");
        assertTrue(jdkTrust instanceof DeferredSslSocketFactory, String.valueOf(jdkTrust));
    }

    /** Setting TLS up is left to the first TLS connection: a send to a server that speaks none never pays for it. */
    @Test
    void aSendWithoutTlsNeverMakesTheTlsFactory() {
        AtomicInteger made = new AtomicInteger();
        DeferredSslSocketFactory tls = new DeferredSslSocketFactory(() -> {
            made.incrementAndGet();
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        });
        SmtpConfiguration plainServer = SmtpConfiguration.of("127.0.0.1", smtpPort(), null, null, "noreply@example.com",
                false);

        try (MailTransport transport = TestTransports.factory(Duration.ofSeconds(5), 1, IDLE_LIMIT, false,
                Optional.of(tls)).create(plainServer, SmtpCredentials.password(plainServer))) {
            transport.send(() -> message("no TLS"));
        }

        assertEquals(1, SMTP_SERVER.getReceivedMessages().length);
        assertEquals(0, made.get());
    }

    @Test
    void withTlsRequiredAServerWithoutStartTlsIsRefusedAndGetsNothing() {
        SmtpConfiguration plainServer = SmtpConfiguration.of("127.0.0.1", smtpPort(), "alice", "Al1ce-Pa55", "noreply@example.com", false);
        SMTP_SERVER.setUser("alice", "Al1ce-Pa55");

        try (MailTransport transport = TestTransports.factory(Duration.ofSeconds(5), 2, IDLE_LIMIT, true, JDK_TLS).create(plainServer,
                SmtpCredentials.password(plainServer))) {
            DeliveryFailed refused = assertThrows(DeliveryFailed.class, () -> transport.send(() -> message("x")));

            assertTrue(refused.getMessage().contains("STARTTLS"), refused.getMessage());
            assertFalse(refused.getMessage().contains("Al1ce-Pa55"), refused.getMessage());
        }
        assertEquals(0, SMTP_SERVER.getReceivedMessages().length);
    }

    @Test
    void authenticatesOnlyWhenAUsernameIsSet() {
        assertEquals("true", TestTransports.sessionProperties(factory,
                SmtpConfiguration.of("h", 587, "user", "pw", "a@b.c", false)).getProperty("mail.smtp.auth"));
        assertEquals("false", TestTransports.sessionProperties(factory,
                SmtpConfiguration.of("h", 587, null, null, "a@b.c", false)).getProperty("mail.smtp.auth"));
    }

    @Test
    void refusesANonPositiveTimeout() {
        assertThrows(IllegalArgumentException.class, () -> TestTransports.factory(Duration.ZERO, 1, IDLE_LIMIT, false, JDK_TLS));
        assertThrows(IllegalArgumentException.class, () -> TestTransports.settings(Duration.ofSeconds(1), 1, IDLE_LIMIT,
                false).withSendDeadline(Duration.ZERO));
    }

    @Test
    void theReceivedBodyIsUtf8() throws Exception {
        MailMessage accented = new MailMessage(List.of(new EmailAddress("alice@example.com")), List.of(),
                "s", "<p>caf\u00e9</p>", "caf\u00e9", List.of());

        sendWith(SmtpConfiguration.of("127.0.0.1", smtpPort(), null, null, "noreply@example.com", false), accented);

        Multipart alternative = (Multipart) SMTP_SERVER.getReceivedMessages()[0].getContent();
        assertEquals("caf\u00e9", alternative.getBodyPart(0).getContent());
        assertTrue(alternative.getBodyPart(0).getContentType().toLowerCase().contains(
                StandardCharsets.UTF_8.name().toLowerCase()));
    }
}
