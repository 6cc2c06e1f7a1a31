package dev.mailservice.bootstrap.distribution;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.ServiceProcess;
import dev.mailservice.testkit.TestCertificates;
import dev.mailservice.testkit.TestSmtpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar verifying configurations against real SMTP servers started here, with
 * certificates made here: for each usual mistake the right step fails with the right advice; a
 * passing configuration delivers one test mail; with verification on save and on apply, a wrong
 * password neither is stored nor replaces the working sender.
 */
class VerifySmtpPackagedJarIT {

    private static final String USER = "ops";
    private static final String PASSWORD = "right-Pa55word";
    private static final String WRONG_PASSWORD = "wrong-Pa55word";

    @TempDir
    static Path directory;
    private static final List<AutoCloseable> SERVERS = new ArrayList<>();
    private static TestSmtpServer plain;
    private static TestSmtpServer startTls;
    private static TestSmtpServer untrusted;
    private static TestSmtpServer expired;
    private static TestSmtpServer otherHost;
    private static TestSmtpServer implicitTls;
    private static TestSmtpServer noAuth;
    private static ServerSocket silent;
    private static ServerSocket imap;

    @BeforeAll
    static void startServers() throws Exception {
        Path ours = Files.createDirectories(directory.resolve("ca"));
        Path foreign = Files.createDirectories(directory.resolve("foreign-ca"));
        TestCertificates.create(ours);
        TestCertificates.create(foreign);
        TestCertificates.createServer(ours, "expired", "IP:127.0.0.1,DNS:localhost", -1);
        TestCertificates.createServer(ours, "other", "DNS:mail.example.test", 2);
        SSLContext localhost = TestCertificates.serving(ours, TestCertificates.SERVER_CERTIFICATE_FILE,
                TestCertificates.SERVER_KEY_FILE);
        plain = server(options -> options.login(USER, PASSWORD));
        startTls = server(options -> options.startTls(localhost).login(USER, PASSWORD));
        untrusted = server(options -> options.startTls(serving(foreign)).login(USER, PASSWORD));
        expired = server(options -> options.startTls(TestCertificates.serving(ours, "expired.pem", "expired.key"))
                .login(USER, PASSWORD));
        otherHost = server(options -> options.startTls(TestCertificates.serving(ours, "other.pem", "other.key"))
                .login(USER, PASSWORD));
        implicitTls = server(options -> options.implicitTls(localhost).login(USER, PASSWORD));
        noAuth = server(options -> {});
        silent = listener("");
        imap = listener("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n");
    }

    @AfterAll
    static void stopServers() throws Exception {
        for (AutoCloseable server : SERVERS) {
            server.close();
        }
    }

    private static SSLContext serving(Path authority) throws Exception {
        return TestCertificates.serving(authority, TestCertificates.SERVER_CERTIFICATE_FILE,
                TestCertificates.SERVER_KEY_FILE);
    }

    /** A server set up by {@code setUp}; a certificate it cannot make fails the test. */
    private static TestSmtpServer server(CheckedSetup setUp) throws Exception {
        List<Exception> failures = new ArrayList<>();
        TestSmtpServer server = TestSmtpServer.start(options -> {
            try {
                setUp.apply(options);
            } catch (Exception e) {
                failures.add(e);
            }
        });
        SERVERS.add(server);
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return server;
    }

    @FunctionalInterface
    private interface CheckedSetup {
        void apply(TestSmtpServer.Options options) throws Exception;
    }

    /** Accepts connections and says {@code text} on each, then keeps them open. */
    private static ServerSocket listener(String text) throws IOException {
        ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        SERVERS.add(socket);
        Thread.ofVirtual().start(() -> {
            List<Socket> open = new ArrayList<>();
            try {
                while (true) {
                    Socket client = socket.accept();
                    open.add(client);
                    client.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                // closed after the test
            }
        });
        return socket;
    }

    private static String configuration(int port, String password, String extra) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + port + ", \"username\": \"" + USER + "\", \"password\": \""
                + password + "\", \"fromEmail\": \"noreply@example.com\"" + extra + "}";
    }

    @Test
    void eachMistakeFailsItsStepWithItsAdviceAndABadPasswordNeverReplacesTheWorkingSender() throws Exception {
        Path configFile = directory.resolve("smtp.json");
        try (ServiceProcess service = ServiceProcess.launchJarAsDeployed(directory, Map.ofEntries(
                        Map.entry("SCOPED_JWT_SECRET", SCOPED_SECRET), Map.entry("JWT_SECRET", USER_SECRET),
                        Map.entry("SMTP_CONFIG_FILE", configFile.toString()), Map.entry("PORT", "0"),
                        Map.entry("TLS_CA_FILE", directory.resolve("ca").resolve(TestCertificates.CA_FILE).toString()),
                        // Room for a fresh JVM's first TLS handshake; the silent servers cost it twice.
                        Map.entry("SMTP_TIMEOUT_MS", "4000"), Map.entry("SMTP_VERIFY_ON_SAVE", "true"),
                        Map.entry("SMTP_VERIFY_ON_APPLY", "true")), Path.of(System.getProperty("service.jar")));
                ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET, USER_SECRET)) {
            String passed = verify(client, configuration(startTls.port(), PASSWORD,
                    ", \"sendTestTo\": \"ops@example.com\""));
            assertTrue(passed.startsWith("{\"ok\":true,") && passed.endsWith("\"advice\":[]}"), passed);
            assertEquals(List.of("dns", "connect", "greeting", "ehlo", "tls", "auth", "send"), stepNames(passed));
            assertTrue(passed.contains("\"detail\":\"STARTTLS; certificate of CN=localhost"), passed);
            assertEquals(1, startTls.mails().size());
            assertTrue(startTls.mails().get(0).contains("Subject: Test mail: the SMTP settings work"));
            String secure = verify(client, configuration(implicitTls.port(), PASSWORD, ", \"secure\": true"));
            assertTrue(secure.startsWith("{\"ok\":true,"), secure);
            assertEquals(List.of("dns", "connect", "tls", "greeting", "ehlo", "auth"), stepNames(secure));

            assertFails(client, configuration(plain.port(), WRONG_PASSWORD, ""), "auth",
                    "The server refused the username or password");
            String untrustedReport = assertFails(client, configuration(untrusted.port(), PASSWORD, ""), "tls", "TLS_CA_FILE");
            assertTrue(untrustedReport.contains("offers login (AUTH) only after STARTTLS"), untrustedReport);
            assertFails(client, configuration(expired.port(), PASSWORD, ""), "tls", "has expired");
            assertFails(client, configuration(otherHost.port(), PASSWORD, ""), "tls", "is not for 127.0.0.1");
            assertFails(client, configuration(implicitTls.port(), PASSWORD, ""), "greeting", "set secure to true");
            assertFails(client, configuration(plain.port(), PASSWORD, ", \"secure\": true"), "tls", "set secure to false");
            assertFails(client, configuration(noAuth.port(), PASSWORD, ""), "auth", "offers no login (SMTP AUTH)");
            assertFails(client, configuration(silent.getLocalPort(), PASSWORD, ""), "greeting", "sent no SMTP greeting");
            String notSmtp = assertFails(client, configuration(imap.getLocalPort(), PASSWORD, ""), "greeting",
                    "is not an SMTP server");
            assertFalse(notSmtp.contains("Dovecot"), "what a service that is not SMTP said was shown: " + notSmtp);

            assertEquals(200, client.storeConfiguration(configuration(plain.port(), PASSWORD, "")).statusCode());
            HttpResponse<String> refused = client.storeConfiguration(configuration(plain.port(), WRONG_PASSWORD, "")
                    .replace("noreply@", "refused@"));
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("SMTP verification failed at step auth"), refused.body());
            assertFalse(Files.readString(configFile).contains("refused@"), "a refused save was stored");

            Files.writeString(configFile, configuration(plain.port(), WRONG_PASSWORD, "").replace("noreply@", "stored@"));
            HttpResponse<String> reload = client.reload();
            assertEquals(400, reload.statusCode(), reload.body());
            String status = client.status();
            assertTrue(status.contains("\"fromEmail\":\"noreply@example.com\""), status);
            assertTrue(status.contains("\"lastReloadError\":{\"at\":"), status);
            assertTrue(status.contains("SMTP verification failed at step auth"), status);
            assertTrue(status.contains("\"lastVerified\":{\"at\":"), status);
            assertTrue(status.contains("\"ok\":true,\"failedStep\":null}"), status);
            assertEquals(200, client.sendEmail("{\"emailTemplateType\": \"loginWithOTP\", \"sendEmailTo\": "
                    + "[\"user@example.com\"], \"templateData\": {\"otp\": \"123456\"}}").statusCode());
            assertEquals(1, plain.mails().size(), "the working sender stopped sending");

            String metrics = client.call("GET", "/observe/metrics", "none", null).body();
            assertTrue(metrics.matches("(?s).*mailservice_verifications_total\\{[^}]*outcome=\"failed\"[^}]*step=\"auth\""
                    + "[^}]*trigger=\"apply\"[^}]*} [1-9].*"), metrics);
            client.assertNoAnswerShows(PASSWORD);
            client.assertNoAnswerShows(WRONG_PASSWORD);
            for (String line : service.output()) {
                assertFalse(line.contains(PASSWORD) || line.contains(WRONG_PASSWORD), "a log line showed a password: " + line);
            }
        }
    }

    private static List<String> stepNames(String report) {
        return Pattern.compile("\"name\":\"(\\w+)\"").matcher(report).results().map(match -> match.group(1)).toList();
    }

    private static String verify(ServiceClient client, String body) throws Exception {
        HttpResponse<String> answer = client.verifyConfiguration(body);
        assertEquals(200, answer.statusCode(), answer.body());
        return answer.body();
    }

    /** Verifies {@code body}, which must fail at {@code step} with advice holding {@code advice}; answers the report. */
    private static String assertFails(ServiceClient client, String body, String step, String advice) throws Exception {
        String report = verify(client, body);
        assertTrue(report.startsWith("{\"ok\":false,"), report);
        assertTrue(report.matches(".*\\{\"name\":\"" + step + "\",\"ok\":false,\"ms\":\\d+,\"detail\":\"[^\"]*\"}],"
                + "\"advice\":\\[.*"), "not failed at " + step + ": " + report);
        assertTrue(report.contains(advice), "no advice '" + advice + "': " + report);
        return report;
    }
}
