package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.TestCertificates;
import dev.mailservice.testkit.XOAuth2SmtpServer;
import dev.mailservice.testkit.XOAuth2SmtpServer.Options;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sends that log in with an OAuth 2.0 access token (SASL XOAUTH2), against a GreenMail server that
 * takes a token only while the test's predicate accepts it ({@link XOAuth2SmtpServer}).
 */
class XOAuth2SendTest {

    static final String MAILBOX = "mailbox@example.com";
    /** Stored beside the OAuth 2.0 login, and never to be sent. */
    static final String STORED_PASSWORD = "stored-Pa55word";
    static final OAuth2Login LOGIN = new OAuth2Login.Microsoft("contoso.onmicrosoft.com", "app-id",
            Password.of("client-Secr3t"));
    private static final Duration IDLE_LIMIT = Duration.ofMinutes(5);

    @TempDir
    Path certificates;

    private final JakartaMailTransportFactory factory = TestTransports.factory(Duration.ofSeconds(5), 2, IDLE_LIMIT,
            false, Optional.empty());
    private XOAuth2SmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A configuration that logs in to {@code port} as {@link #MAILBOX} with OAuth 2.0, From {@code from}. */
    static SmtpConfiguration oauth2At(int port, String from, boolean implicitTls) {
        return SmtpConfiguration.of("127.0.0.1", port, MAILBOX, STORED_PASSWORD, from, implicitTls)
                .withOAuth2(Optional.of(LOGIN));
    }

    private SmtpConfiguration oauth2() {
        return oauth2At(server.port(), "noreply@example.com", false);
    }

    private static MailMessage message(String subject) {
        return new MailMessage(List.of(new EmailAddress("alice@example.com")), List.of(), subject, "<p>Hi</p>", "Hi",
                List.of());
    }

    private MailTransport.Sent send(SmtpCredentials credentials, String subject) {
        try (MailTransport transport = factory.create(oauth2(), credentials)) {
            return transport.send(() -> message(subject));
        }
    }

    private DeliveryFailed failedSend(SmtpCredentials credentials) {
        return assertThrows(DeliveryFailed.class, () -> send(credentials, "refused"));
    }

    private static Predicate<String> only(String... tokens) {
        return Set.of(tokens)::contains;
    }

    @Test
    void aServerOfferingPlainAndLoginTooGetsTheTokenWithXOAuth2AndNeverTheStoredPassword() throws Exception {
        server = XOAuth2SmtpServer.start(MAILBOX, only("token-1"));
        TestTokens tokens = TestTokens.of("token-1");

        long started = System.nanoTime();
        MailTransport.Sent sent = send(tokens, "with a token");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(List.of("PLAIN", "LOGIN", "XOAUTH2"), XOAuth2SmtpServer.DEFAULT_MECHANISMS);
        assertEquals(List.of("XOAUTH2"), server.mechanismsTried());
        assertEquals(1, server.loginsAccepted());
        assertEquals(0, server.loginsRefused());
        assertEquals(1, sent.attempts());
        assertEquals("with a token", server.messages().getFirst().getSubject());
        assertEquals(List.of(), tokens.refused());
        // The token is waited for within what the send's deadline (three timeouts, 15 s) leaves.
        Duration waited = tokens.waits().getFirst();
        assertTrue(waited.compareTo(Duration.ofSeconds(15)) <= 0 && waited.compareTo(Duration.ofSeconds(15).minus(took)) >= 0,
                "waited " + waited + " in a send of " + took);
    }

    @Test
    void aRevokedTokenIsReplacedOnceAndTheMailGoesOutWithTheNewOne() throws Exception {
        server = XOAuth2SmtpServer.start(MAILBOX, only("token-1"));
        TestTokens tokens = TestTokens.of("token-1", "token-2");
        send(tokens, "before the revocation");
        server.accept(only("token-2"));

        MailTransport.Sent sent = send(tokens, "after the revocation");

        assertEquals(List.of("token-1"), tokens.refused());
        assertEquals(2, server.loginsAccepted());
        assertEquals(1, server.loginsRefused());
        assertEquals(1, sent.attempts(), "a renewed login is part of the same attempt");
        assertEquals(List.of("before the revocation", "after the revocation"),
                server.messages().stream().map(XOAuth2SendTest::subject).toList());
    }

    @Test
    void aRefusedTokensReplacementIsWaitedForWithinWhatTheSendsDeadlineLeaves() throws Exception {
        server = XOAuth2SmtpServer.start(MAILBOX, only("token-2"));
        // The first token comes when 13 s of the 15 s it is given are left: 2 s into the send.
        TestTokens tokens = TestTokens.late(Duration.ofSeconds(13), "token-1", "token-2");

        send(tokens, "after a slow token");

        assertEquals(List.of("token-1"), tokens.refused());
        List<Duration> waits = tokens.waits();
        assertEquals(2, waits.size(), waits.toString());
        // At most what the send's deadline left once the first token came and was refused; the lower bound
        // leaves a busy machine seconds for that login.
        assertTrue(waits.get(1).compareTo(Duration.ofSeconds(13)) <= 0 && waits.get(1).compareTo(Duration.ofSeconds(8)) >= 0,
                waits.toString());
    }

    static Stream<Arguments> refusalsOfAToken() {
        return Stream.of(
                Arguments.of("an error challenge, as Gmail sends it", (XOAuth2SmtpServer.Setup) Options::challengingRefusals),
                Arguments.of("a reply without a code", (XOAuth2SmtpServer.Setup) Options::refusingWithoutACode));
    }

    /** Refusals of the token other than a 535: the token is renewed once, as for a 535. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusalsOfAToken")
    void aRefusalOfTheTokenRenewsItOnce(String refusal, XOAuth2SmtpServer.Setup setUp) throws Exception {
        server = XOAuth2SmtpServer.start(MAILBOX, only("token-2"), setUp);
        TestTokens tokens = TestTokens.of("token-1", "token-2");

        send(tokens, "after " + refusal);

        assertEquals(List.of("token-1"), tokens.refused());
        assertEquals(1, server.loginsRefused());
        assertEquals(1, server.messages().size());
    }

    @Test
    void aNewTokenRefusedTooFailsTheSendAsRefusedAfterOneRenewal() {
        server = XOAuth2SmtpServer.start(MAILBOX, token -> false);
        TestTokens tokens = TestTokens.of("token-1", "token-2", "token-3");

        DeliveryFailed refused = failedSend(tokens);

        assertEquals(DeliveryFailed.Ending.REFUSED, refused.ending());
        assertEquals(1, refused.attempts());
        assertTrue(refused.getMessage().startsWith("The SMTP server 127.0.0.1:" + server.port() + " refused the access "
                + "token for user '" + MAILBOX + "', then a new one asked for after that refusal: 535 5.7.8"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("username or password"), refused.getMessage());
        assertEquals(List.of("token-1"), tokens.refused(), "renewed more than once");
        assertEquals(2, server.loginsRefused());
        assertEquals(2, server.connections());
        assertEquals(0, server.messages().size());
    }

    @Test
    void noTokenToBeHadFailsTheSendWithThatFailureAtOnceWithoutConnecting() {
        server = XOAuth2SmtpServer.start(MAILBOX, token -> true);
        DeliveryFailed noToken = DeliveryFailed.temporary("No access token: the token endpoint answered invalid_client",
                1, Duration.ofSeconds(1), null);
        TestTokens tokens = TestTokens.failing(noToken);

        DeliveryFailed failed = failedSend(tokens);

        assertSame(noToken, failed);
        assertEquals(1, tokens.secretsAsked(), "tried again for a failure that is not the server's");
        assertEquals(0, server.connections());
    }

    /** The failure of a send with a deadline of 1.5 s, logging in to {@code port} with {@code tokens}. */
    private DeliveryFailed failedQuickSend(int port, TestTokens tokens) {
        JakartaMailTransportFactory quick = TestTransports.factory(Duration.ofMillis(500), 2, IDLE_LIMIT, false,
                Optional.empty());
        try (MailTransport transport = quick.create(oauth2At(port, "noreply@example.com", false), tokens)) {
            return assertThrows(DeliveryFailed.class, () -> transport.send(() -> message("late")));
        }
    }

    @Test
    void aTokenThatTookAllTheSendsTimeIsBlamedAndTheServerNeverContacted() {
        server = XOAuth2SmtpServer.start(MAILBOX, token -> true);

        DeliveryFailed failed = failedQuickSend(server.port(), TestTokens.late(Duration.ZERO, "token-1"));

        assertEquals(DeliveryFailed.Ending.TEMPORARY, failed.ending());
        assertTrue(failed.getMessage().matches("The send's deadline passed after waiting 1\\d{3} ms for the OAuth 2\\.0 "
                + "access token, before the SMTP server 127\\.0\\.0\\.1:\\d+ was reached .*"), failed.getMessage());
        assertEquals(0, server.connections());
    }

    @Test
    void aTokenThatTookMostOfTheSendsTimeIsNamedBesideTheServerThatDidNotAnswerInTheRest() throws Exception {
        // A server that takes the connection and never greets, and a token that leaves 300 ms for it.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            DeliveryFailed failed = failedQuickSend(silent.getLocalPort(),
                    TestTokens.late(Duration.ofMillis(300), "token-1"));

            assertEquals(DeliveryFailed.Ending.TEMPORARY, failed.ending());
            assertTrue(failed.getMessage().matches("No answer from the SMTP server 127\\.0\\.0\\.1:\\d+ before the "
                    + "send's deadline; 1\\d{3} ms of the send's time went waiting for the OAuth 2\\.0 access token .*"),
                    failed.getMessage());
        }
    }

    @Test
    void aServerEchoingTheTokenItRefusedHasItsReplyShownWithoutIt() {
        server = XOAuth2SmtpServer.start(MAILBOX, token -> false, options -> options.echoingRefusals());
        String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWlsYm94In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
        String initialResponse = Base64.getEncoder().encodeToString(("user=" + MAILBOX + "\u0001auth=Bearer " + token
                + "\u0001\u0001").getBytes(StandardCharsets.UTF_8));

        DeliveryFailed refused = failedSend(SmtpCredentials.accessToken(Password.of(token)));

        assertTrue(refused.getMessage().contains("refused the access token for user '" + MAILBOX + "': 535 5.7.8 The "
                + "access token [access token] of " + MAILBOX + " is not valid (you sent [credentials])"),
                refused.getMessage());
        for (Throwable cause = refused; cause != null; cause = cause.getCause()) {
            assertFalse(String.valueOf(cause.getMessage()).contains(token), cause.toString());
            assertFalse(String.valueOf(cause.getMessage()).contains(initialResponse), cause.toString());
        }
    }

    @Test
    void theTransportsOfOneLoginShareTheirConnectionsAndLogInOnceForManySends() throws Exception {
        server = XOAuth2SmtpServer.start(MAILBOX, only("token-1"));
        TestTokens tokens = TestTokens.of("token-1");
        MailTransport first = factory.create(oauth2(), tokens);
        // A reload that changes the sender keeps the login, and the core hands over the same credentials.
        MailTransport newSender = factory.create(oauth2At(server.port(), "other@example.com", false), tokens);

        first.send(() -> message("1"));
        first.send(() -> message("2"));
        newSender.send(() -> message("3"));

        assertEquals(1, server.connections());
        assertEquals(1, server.loginsAccepted());
        assertEquals(1, tokens.secretsAsked());
        assertEquals("other@example.com", server.messages().get(2).getFrom()[0].toString());

        // Other credentials, though they give the same token, get connections of their own.
        TestTokens otherLogin = TestTokens.of("token-1");
        try (MailTransport other = factory.create(oauth2(), otherLogin)) {
            other.send(() -> message("4"));
        }
        assertEquals(2, server.connections());
        assertEquals(1, otherLogin.secretsAsked());
        first.close();
        newSender.close();
    }

    @Test
    void aTokenLogsInOverImplicitTls() throws Exception {
        TestCertificates.create(certificates);
        SSLContext serverTls = TestCertificates.serving(certificates, TestCertificates.SERVER_CERTIFICATE_FILE,
                TestCertificates.SERVER_KEY_FILE);
        server = XOAuth2SmtpServer.start(MAILBOX, only("token-1"), options -> options.implicitTls(serverTls));
        JakartaMailTransportFactory overTls = TestTransports.factory(Duration.ofSeconds(5), 1, IDLE_LIMIT, false,
                Optional.of(TestCertificates.trustingOnly(certificates.resolve(TestCertificates.CA_FILE))
                        .getSocketFactory()));

        try (MailTransport transport = overTls.create(oauth2At(server.port(), "noreply@example.com", true),
                TestTokens.of("token-1"))) {
            transport.send(() -> message("over TLS"));
        }

        assertEquals(List.of("XOAUTH2"), server.mechanismsTried());
        assertEquals("over TLS", server.messages().getFirst().getSubject());
    }

    @Test
    void onlyATokenLoginTriesXOAuth2Alone() {
        SmtpConfiguration withPassword = SmtpConfiguration.of("h", 587, MAILBOX, STORED_PASSWORD, "a@b.c", false);

        assertEquals("XOAUTH2", factory.sessionProperties(oauth2At(587, "a@b.c", false), TestTokens.of("t"))
                .getProperty("mail.smtp.auth.mechanisms"));
        assertNull(TestTransports.sessionProperties(factory, withPassword)
                .getProperty("mail.smtp.auth.mechanisms"));
    }

    private static String subject(MimeMessage mail) {
        try {
            return mail.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
