package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.SmtpProbe.Capabilities;
import dev.mailservice.application.port.out.SmtpProbe.Probe;
import dev.mailservice.application.port.out.SmtpProbe.Problem;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.testkit.FaultSmtpServer;
import dev.mailservice.testkit.SmtpScenario;
import dev.mailservice.testkit.SmtpScenario.Greeting;
import dev.mailservice.testkit.TestCertificates;
import dev.mailservice.testkit.TestSmtpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe against real SMTP servers started here (SubEthaSMTP), with certificates made here:
 * which step fails, and why, for each of the usual mistakes.
 */
class AngusSmtpProbeTest {

    private static final String USER = "ops";
    private static final String PASSWORD = "right-Pa55word";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration LIMIT = Duration.ofSeconds(20);

    @TempDir
    static Path certificates;
    private static SSLContext localhost;
    private static SSLContext expired;
    private static SSLContext otherHost;
    private static TrustManagerFactory testAuthority;
    private static TrustManagerFactory jdkAuthorities;

    @BeforeAll
    static void makeCertificates() throws Exception {
        TestCertificates.create(certificates);
        TestCertificates.createServer(certificates, "expired", "IP:127.0.0.1,DNS:localhost", -1);
        TestCertificates.createServer(certificates, "other", "DNS:mail.example.test", 2);
        localhost = TestCertificates.serving(certificates, TestCertificates.SERVER_CERTIFICATE_FILE,
                TestCertificates.SERVER_KEY_FILE);
        expired = TestCertificates.serving(certificates, "expired.pem", "expired.key");
        otherHost = TestCertificates.serving(certificates, "other.pem", "other.key");
        testAuthority = TestCertificates.trustManagersOf(certificates.resolve(TestCertificates.CA_FILE));
        jdkAuthorities = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdkAuthorities.init((KeyStore) null);
    }

    private static Probe probe(SmtpConfiguration configuration, TrustManagerFactory trust, boolean requireTls) {
        return probe(configuration, trust, requireTls, Optional.empty());
    }

    private static Probe probe(SmtpConfiguration configuration, TrustManagerFactory trust, boolean requireTls,
            Optional<MailMessage> testMail) {
        JakartaMailTransportFactory transports = TestTransports.factory(TIMEOUT, 2, Duration.ofMinutes(1),
                requireTls, Optional.empty());
        return new AngusSmtpProbe(transports, () -> trust).probe(configuration, SmtpCredentials.password(configuration),
                testMail, LIMIT);
    }

    private static SmtpConfiguration at(int port, String username, String password) {
        return SmtpConfiguration.of("127.0.0.1", port, username, password, "noreply@example.com", false);
    }

    private static SmtpConfiguration secureAt(int port) {
        return SmtpConfiguration.of("127.0.0.1", port, USER, PASSWORD, "noreply@example.com", true);
    }

    private static List<String> steps(Probe probe) {
        return probe.steps().stream().map(step -> step.step().key() + (step.ok() ? "" : " failed")).toList();
    }

    private static String detailOf(Probe probe, SmtpStep step) {
        return probe.steps().stream().filter(result -> result.step() == step).findFirst().orElseThrow().detail();
    }

    @Test
    void aPlainServerWithoutLoginPassesEveryStepAndTlsIsSaidNotOffered() {
        try (TestSmtpServer server = TestSmtpServer.start(options -> {})) {
            Probe probe = probe(at(server.port(), null, null), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls"), steps(probe));
            assertEquals(Optional.empty(), probe.problem());
            assertTrue(detailOf(probe, SmtpStep.GREETING).startsWith("an SMTP greeting: 220 smtp.test"), probe.toString());
            assertEquals("not offered: the connection stays in plain text", detailOf(probe, SmtpStep.TLS));
            assertFalse(probe.firstEhlo().orElseThrow().startTls());
        }
    }

    @Test
    void aLoginIsAcceptedOrRefusedWithTheServersReplyAndNeverThePassword() {
        try (TestSmtpServer server = TestSmtpServer.start(options -> options.login(USER, PASSWORD))) {
            Probe accepted = probe(at(server.port(), USER, PASSWORD), testAuthority, false);
            Probe refused = probe(at(server.port(), USER, "wrong-Pa55word"), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth"), steps(accepted));
            assertTrue(detailOf(accepted, SmtpStep.AUTH).startsWith("logged in as ops"), accepted.toString());
            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(refused));
            assertEquals(Optional.of(Problem.AUTH_REJECTED), refused.problem());
            assertTrue(detailOf(refused, SmtpStep.AUTH).contains("535"), refused.toString());
        }
    }

    @Test
    void aServerEchoingTheCredentialsItGotHasItsReplyShownWithoutThePassword() throws Exception {
        try (ScriptedSmtpServer echoing = ScriptedSmtpServer.start(ScriptedSmtpServer.Kind.ECHOES_CREDENTIALS)) {
            Probe refused = probe(at(echoing.port(), USER, PASSWORD), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(refused));
            assertEquals(Optional.of(Problem.AUTH_REJECTED), refused.problem());
            String detail = detailOf(refused, SmtpStep.AUTH);
            assertTrue(detail.startsWith("the server refused the login of ops: 535 5.7.8 refused "), detail);
            assertFalse(detail.contains(PASSWORD), detail);
            assertFalse(detail.contains(Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8))), detail);
        }
    }

    /** A refusal of the login without a reply code: neither the verification nor a send shows what it echoes. */
    @Test
    void aServerEchoingTheCredentialsInAReplyWithoutANumberHasNeitherShown() throws Exception {
        try (ScriptedSmtpServer echoing = ScriptedSmtpServer.start(ScriptedSmtpServer.Kind.ECHOES_CREDENTIALS_UNNUMBERED);
                var transport = TestTransports.create(new JakartaMailTransportFactory(TestTransports.settings(TIMEOUT, 1,
                        Duration.ofMinutes(1), false).withSendDeadline(Duration.ofSeconds(1)), Optional.empty()),
                        at(echoing.port(), USER, PASSWORD))) {
            Probe refused = probe(at(echoing.port(), USER, PASSWORD), testAuthority, false);
            DeliveryFailed sendFailure = assertThrows(DeliveryFailed.class, () -> transport.send(() -> new MailMessage(
                    List.of(new EmailAddress("ops@example.com")), List.of(), "Hi", "<p>hi</p>", "hi", List.of())));

            String credentials = Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            List<String> shown = new ArrayList<>(List.of(detailOf(refused, SmtpStep.AUTH), refused.toString()));
            // The failure and its causes, as a log line with its stack trace would show them.
            for (Throwable failure = sendFailure; failure != null; failure = failure.getCause()) {
                shown.add(String.valueOf(failure.getMessage()));
            }
            assertTrue(sendFailure.getMessage().contains("refused"), sendFailure.getMessage());
            for (String text : shown) {
                assertFalse(text.contains(PASSWORD), text);
                assertFalse(text.contains(credentials), text);
            }
        }
    }

    @Test
    void aUsernameWithoutAPasswordRunsTheStepsBeforeAuthAndFailsAuthForIt() {
        try (TestSmtpServer server = TestSmtpServer.start(options -> options.login(USER, PASSWORD))) {
            Probe probe = probe(at(server.port(), USER, null), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(probe), probe.toString());
            assertEquals(Optional.of(Problem.PASSWORD_MISSING), probe.problem());
            assertEquals("a username is set but no password: no login was tried", detailOf(probe, SmtpStep.AUTH));
        }
    }

    @Test
    void aServerOfferingOnlyTheOldAuthEqualsLoginFormIsSaidToOfferItAndNothingAngusLogsInWith() throws Exception {
        try (ScriptedSmtpServer old = ScriptedSmtpServer.start(ScriptedSmtpServer.Kind.OLD_AUTH_LOGIN)) {
            Probe probe = probe(at(old.port(), USER, PASSWORD), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(probe), probe.toString());
            assertEquals(Optional.of(Problem.MECHANISM_MISSING), probe.problem());
            assertEquals("the server offers only the old form AUTH=LOGIN, without an AUTH line, none of LOGIN PLAIN "
                    + "DIGEST-MD5 NTLM", detailOf(probe, SmtpStep.AUTH));
        }
    }

    @Test
    void aServerAnsweringHeloButNotEhloOffersNothingAndFailsWhereTlsOrALoginIsNeeded() throws Exception {
        try (ScriptedSmtpServer heloOnly = ScriptedSmtpServer.start(ScriptedSmtpServer.Kind.HELO_ONLY)) {
            Probe anonymous = probe(at(heloOnly.port(), null, null), testAuthority, false);
            Probe tlsRequired = probe(at(heloOnly.port(), null, null), testAuthority, true);
            Probe login = probe(at(heloOnly.port(), USER, PASSWORD), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls"), steps(anonymous), anonymous.toString());
            assertEquals("HELO only: no extensions", detailOf(anonymous, SmtpStep.EHLO));
            assertEquals(Optional.empty(), anonymous.firstEhlo());
            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls failed"), steps(tlsRequired),
                    tlsRequired.toString());
            assertEquals(Optional.of(Problem.STARTTLS_NOT_OFFERED), tlsRequired.problem());
            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(login), login.toString());
            assertEquals(Optional.of(Problem.AUTH_NOT_OFFERED), login.problem());
        }
    }

    @Test
    void startTlsWithATrustedCertificateThenAuthThenATestMail() {
        try (TestSmtpServer server = TestSmtpServer.start(options -> options.startTls(localhost).login(USER, PASSWORD))) {
            MailMessage test = new MailMessage(List.of(new EmailAddress("ops@example.com")), List.of(), "Test mail",
                    "<p>test</p>", "test", List.of());

            Probe probe = probe(at(server.port(), USER, PASSWORD), testAuthority, true, Optional.of(test));

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth", "send"), steps(probe), probe.toString());
            assertEquals(new Capabilities(true, List.of(), OptionalLong.empty()), probe.firstEhlo().orElseThrow(),
                    "AUTH is offered only after STARTTLS");
            assertTrue(detailOf(probe, SmtpStep.TLS).startsWith("STARTTLS; certificate of CN=localhost (names "),
                    detailOf(probe, SmtpStep.TLS));
            assertTrue(detailOf(probe, SmtpStep.TLS).contains("issued by CN=Mail service test authority"));
            assertFalse(probe.steps().get(4).took().isZero(), "the handshake is the TLS step's: " + probe.steps());
            assertEquals(1, server.mails().size());
            assertTrue(server.mails().get(0).contains("Subject: Test mail"));
        }
    }

    @Test
    void anUntrustedAnExpiredAndAnotherHostsCertificateEachFailTlsForItsReason() {
        try (TestSmtpServer trusted = TestSmtpServer.start(options -> options.startTls(localhost).login(USER, PASSWORD));
                TestSmtpServer old = TestSmtpServer.start(options -> options.startTls(expired).login(USER, PASSWORD));
                TestSmtpServer other = TestSmtpServer.start(options -> options.startTls(otherHost).login(USER, PASSWORD))) {
            Probe untrusted = probe(at(trusted.port(), USER, PASSWORD), jdkAuthorities, false);
            Probe outdated = probe(at(old.port(), USER, PASSWORD), testAuthority, false);
            Probe elsewhere = probe(at(other.port(), USER, PASSWORD), testAuthority, false);

            for (Probe probe : List.of(untrusted, outdated, elsewhere)) {
                assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls failed"), steps(probe), probe.toString());
            }
            assertEquals(Optional.of(Problem.CERTIFICATE_UNTRUSTED), untrusted.problem());
            assertEquals(Optional.of(Problem.CERTIFICATE_EXPIRED), outdated.problem());
            assertEquals(Optional.of(Problem.HOST_NAME_MISMATCH), elsewhere.problem());
            assertTrue(detailOf(elsewhere, SmtpStep.TLS).startsWith("the certificate is not for 127.0.0.1: certificate "
                    + "of CN=other (names mail.example.test)"), detailOf(elsewhere, SmtpStep.TLS));
        }
    }

    @Test
    void implicitTlsOnAHighPortWithSecureComesBeforeTheGreeting() {
        try (TestSmtpServer server = TestSmtpServer.start(options -> options.implicitTls(localhost).login(USER, PASSWORD))) {
            Probe probe = probe(secureAt(server.port()), testAuthority, true);

            assertEquals(List.of("dns", "connect", "tls", "greeting", "ehlo", "auth"), steps(probe), probe.toString());
            assertTrue(detailOf(probe, SmtpStep.TLS).startsWith("implicit TLS; certificate of CN=localhost"));
        }
    }

    @Test
    void implicitTlsToAServiceThatIsNotSmtpNamesNoneOfItsCertificate() throws Exception {
        try (SSLServerSocket https = tlsService(localhost);
                SSLServerSocket elsewhere = tlsService(otherHost)) {
            Probe notSmtp = probe(secureAt(https.getLocalPort()), testAuthority, false);
            Probe otherHosts = probe(secureAt(elsewhere.getLocalPort()), testAuthority, false);

            assertEquals(List.of("dns", "connect", "tls", "greeting failed"), steps(notSmtp), notSmtp.toString());
            assertEquals(Optional.of(Problem.NOT_SMTP), notSmtp.problem());
            assertEquals("implicit TLS", detailOf(notSmtp, SmtpStep.TLS));
            assertEquals(List.of("dns", "connect", "tls failed"), steps(otherHosts), otherHosts.toString());
            assertEquals(Optional.of(Problem.HOST_NAME_MISMATCH), otherHosts.problem());
            for (Probe probe : List.of(notSmtp, otherHosts)) {
                assertFalse(probe.toString().contains("CN=") || probe.toString().contains("example.test")
                        || probe.toString().contains("secret-banner"), probe.toString());
            }
        }
    }

    /** A TLS service on {@code tls}'s certificate that answers as a web server does. */
    private static SSLServerSocket tlsService(SSLContext tls) throws IOException {
        SSLServerSocket listener = (SSLServerSocket) tls.getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!listener.isClosed()) {
                try (SSLSocket client = (SSLSocket) listener.accept()) {
                    client.startHandshake();
                    client.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nServer: secret-banner\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    client.getOutputStream().flush();
                } catch (IOException e) {
                    // a refused handshake, or the test closed the listener
                }
            }
        });
        return listener;
    }

    @Test
    void thePortAndTlsMismatchFailsBothWays() {
        try (TestSmtpServer plain = TestSmtpServer.start(options -> options.login(USER, PASSWORD));
                TestSmtpServer implicit = TestSmtpServer.start(options -> options.implicitTls(localhost))) {
            Probe tlsToPlain = probe(secureAt(plain.port()), testAuthority, false);
            Probe plainToTls = probe(at(implicit.port(), USER, PASSWORD), testAuthority, false);

            assertEquals(List.of("dns", "connect", "tls failed"), steps(tlsToPlain));
            assertEquals(Optional.of(Problem.PLAIN_TEXT_WHERE_TLS_EXPECTED), tlsToPlain.problem());
            assertEquals(List.of("dns", "connect", "greeting failed"), steps(plainToTls));
            assertEquals(Optional.of(Problem.TIMED_OUT), plainToTls.problem());
        }
    }

    @Test
    void aServerWithoutStartTlsIsRefusedWhenTlsIsRequired() {
        try (TestSmtpServer server = TestSmtpServer.start(options -> options.login(USER, PASSWORD))) {
            Probe probe = probe(at(server.port(), USER, PASSWORD), testAuthority, true);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls failed"), steps(probe), probe.toString());
            assertEquals(Optional.of(Problem.STARTTLS_NOT_OFFERED), probe.problem());
        }
    }

    @Test
    void aServerOfferingNoAuthEvenAfterStartTlsFailsAuthSayingSo() {
        try (TestSmtpServer server = TestSmtpServer.start(options -> options.startTls(localhost))) {
            Probe probe = probe(at(server.port(), USER, PASSWORD), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(probe), probe.toString());
            assertEquals(Optional.of(Problem.AUTH_NOT_OFFERED), probe.problem());
            assertEquals("the server offers no SMTP AUTH, even after STARTTLS", detailOf(probe, SmtpStep.AUTH));
        }
    }

    @Test
    void aServerOfferingNoAuthOrOnlyAMechanismNotSpokenFailsAuth() {
        try (TestSmtpServer none = TestSmtpServer.start(options -> {});
                TestSmtpServer cram = TestSmtpServer.start(options -> options.onlyMechanism("CRAM-MD5"))) {
            Probe noAuth = probe(at(none.port(), USER, PASSWORD), testAuthority, false);
            Probe noMechanism = probe(at(cram.port(), USER, PASSWORD), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(noAuth));
            assertEquals(Optional.of(Problem.AUTH_NOT_OFFERED), noAuth.problem());
            assertEquals("the server offers no SMTP AUTH on this connection in plain text, nor STARTTLS to upgrade it: "
                    + "it may offer AUTH only over TLS, as on its implicit TLS port (usually 465, with secure true)",
                    detailOf(noAuth, SmtpStep.AUTH));
            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth failed"), steps(noMechanism),
                    noMechanism.toString());
            assertEquals(Optional.of(Problem.MECHANISM_MISSING), noMechanism.problem());
            assertEquals("the server offers AUTH CRAM-MD5, none of LOGIN PLAIN DIGEST-MD5 NTLM",
                    detailOf(noMechanism, SmtpStep.AUTH));
        }
    }

    @Test
    void aSilentServerTimesOutAtTheGreetingAndServicesThatAreNotSmtpAreNotEchoed() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                ServerSocket imap = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                ServerSocket ssh = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> acceptAndSay(silent, ""));
            Thread.ofVirtual().start(() -> acceptAndSay(imap, "* OK [CAPABILITY IMAP4rev1] secret-banner ready\r\n"));
            Thread.ofVirtual().start(() -> acceptAndSay(ssh, "SSH-2.0-OpenSSH_9.6 secret-banner\r\n"));

            Probe timedOut = probe(at(silent.getLocalPort(), null, null), testAuthority, false);
            Probe notSmtp = probe(at(imap.getLocalPort(), null, null), testAuthority, false);
            // "SSH-" reads as the first line of a longer SMTP reply, so this one waits for the rest.
            Probe sshBanner = probe(at(ssh.getLocalPort(), null, null), testAuthority, false);

            assertEquals(List.of("dns", "connect", "greeting failed"), steps(timedOut));
            assertEquals(Optional.of(Problem.TIMED_OUT), timedOut.problem());
            assertEquals(List.of("dns", "connect", "greeting failed"), steps(notSmtp));
            assertEquals(Optional.of(Problem.NOT_SMTP), notSmtp.problem());
            assertEquals(List.of("dns", "connect", "greeting failed"), steps(sshBanner));
            assertEquals(Optional.of(Problem.TIMED_OUT), sshBanner.problem());
            for (Probe probe : List.of(notSmtp, sshBanner)) {
                assertFalse(probe.toString().contains("secret-banner"), probe.toString());
            }
        }
    }

    @Test
    void aGreetingOrAnEhloThatNeverEndsIsDroppedAtTheReplyLimit() {
        for (SmtpScenario endless : List.of(
                SmtpScenario.behaving().greets(connection -> true, new Greeting.EndlessLine()),
                SmtpScenario.behaving().greets(connection -> true, new Greeting.EndlessLines()),
                SmtpScenario.behaving().answersEhloEndlessly())) {
            try (FaultSmtpServer server = FaultSmtpServer.start(endless)) {
                Probe dropped = assertTimeoutPreemptively(Duration.ofSeconds(30),
                        () -> probe(at(server.port(), null, null), testAuthority, false));

                assertEquals(Optional.of(Problem.REPLY_TOO_LONG), dropped.problem(), dropped.toString());
                assertTrue(dropped.toString().contains("the server sent more than 64 KiB without ending its reply"),
                        dropped.toString());
            }
        }
    }

    @Test
    void theWholeRunEndsAtItsLimitWhateverStepItIsIn() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                ServerSocket greetsThenSilent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> acceptAndSay(silent, ""));
            Thread.ofVirtual().start(() -> acceptAndSay(greetsThenSilent, "220 slow.test ESMTP\r\n"));
            JakartaMailTransportFactory transports = TestTransports.factory(Duration.ofMinutes(1), 2,
                    Duration.ofMinutes(1), false, Optional.empty());
            AngusSmtpProbe probe = new AngusSmtpProbe(transports, () -> testAuthority);

            // A guard against a hang, far above the limit: a run cut at the limit ends at once. The
            // limit leaves a busy machine the time to connect and read a greeting on loopback.
            Duration limit = Duration.ofSeconds(2);
            SmtpConfiguration silentServer = at(silent.getLocalPort(), null, null);
            SmtpConfiguration slowServer = at(greetsThenSilent.getLocalPort(), null, null);
            List<Probe> cut = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> List.of(
                    probe.probe(silentServer, SmtpCredentials.password(silentServer), Optional.empty(), limit),
                    probe.probe(slowServer, SmtpCredentials.password(slowServer), Optional.empty(), limit)));

            assertEquals(List.of("dns", "connect", "greeting failed"), steps(cut.get(0)));
            assertEquals(List.of("dns", "connect", "greeting", "ehlo failed"), steps(cut.get(1)));
            for (Probe run : cut) {
                assertEquals(Optional.of(Problem.DEADLINE_PASSED), run.problem(), run.toString());
            }
        }
    }

    @Test
    void nothingListeningOrResolvingFailsEarly() throws Exception {
        int closedPort;
        try (ServerSocket closed = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            closedPort = closed.getLocalPort();
        }
        Probe refused = probe(at(closedPort, null, null), testAuthority, false);
        Probe unknown = probe(SmtpConfiguration.of("nowhere.invalid", 587, null, null, "a@example.com", false), testAuthority,
                false);

        assertEquals(List.of("dns", "connect failed"), steps(refused));
        assertEquals(Optional.of(Problem.CONNECTION_REFUSED), refused.problem());
        assertEquals(List.of("dns failed"), steps(unknown));
        // Without a resolver the lookup may wait out its time instead of being answered.
        assertTrue(unknown.problem().equals(Optional.of(Problem.UNKNOWN_HOST))
                || unknown.problem().equals(Optional.of(Problem.TIMED_OUT)), unknown.toString());
    }

    @Test
    void aTestMailThatCannotBeComposedSaysSoAndQuotesNoEarlierReply() {
        try (TestSmtpServer server = TestSmtpServer.start(options -> options.login(USER, PASSWORD))) {
            MailMessage unfit = new MailMessage(List.of(new EmailAddress("ops@example.com")), List.of(), "Test mail",
                    "<p>test</p>", "test", List.of(new MailMessage.Attachment("a.bin", "no type at all", new byte[] {1})));

            Probe probe = probe(at(server.port(), USER, PASSWORD), testAuthority, false, Optional.of(unfit));

            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth", "send failed"), steps(probe),
                    probe.toString());
            assertEquals(Optional.of(Problem.TEST_MAIL_NOT_COMPOSED), probe.problem());
            assertTrue(detailOf(probe, SmtpStep.SEND).startsWith("the test mail could not be composed"), probe.toString());
            assertEquals(List.of(), server.mails());
        }
    }

    /** Accepts connections, says {@code text} on each, keeps them open until the listener closes, then closes them. */
    private static void acceptAndSay(ServerSocket server, String text) {
        List<Socket> open = new java.util.ArrayList<>();
        try {
            while (!server.isClosed()) {
                Socket client = server.accept();
                open.add(client);
                client.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
            }
        } catch (IOException e) {
            // the test closed the server
        } finally {
            for (Socket client : open) {
                try {
                    client.close();
                } catch (IOException e) {
                    // closing is all that is left to do
                }
            }
        }
    }
}
