package dev.mailservice.bootstrap.endtoend;

import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.TestSmtpServer;
import dev.mailservice.testkit.Tokens;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop over HTTP: store a configuration through the config-manager route, send mail
 * through it, switch it, against two real SMTP servers (GreenMail A and B).
 */
class SendMailEndToEndTest {

    private static final String PASSWORD = "A-Pa55-2026";

    @RegisterExtension
    static final GreenMailExtension SERVER_A = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@a.example", "ops", PASSWORD));

    @RegisterExtension
    static final GreenMailExtension SERVER_B = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    @RegisterExtension
    final AssembledService service = new AssembledService(PASSWORD);

    @TempDir
    Path directory;

    private ServiceClient client;

    @BeforeEach
    void start() {
        client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString()));
    }

    static String serverA(String password, String fromEmail) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + SERVER_A.getSmtp().getPort()
                + ", \"username\": \"ops\", \"password\": \"" + password + "\", \"fromEmail\": \"" + fromEmail + "\"}";
    }

    static String serverB(String fromEmail) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + SERVER_B.getSmtp().getPort() + ", \"fromEmail\": \"" + fromEmail + "\"}";
    }

    static String otpMail(String name) {
        return """
                {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"],
                 "templateData": {"name": "%s", "otp": "123456"}}""".formatted(name);
    }

    private void assertStored(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"message\":\"SMTP config created successfully\"}", response.body());
    }

    private void assertSent(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"data\":{\"status\":true,\"data\":\"Email sent\"}}", response.body());
    }

    private static String htmlOf(MimeMessage mail) throws Exception {
        Multipart alternative = (Multipart) mail.getContent();
        return (String) alternative.getBodyPart(1).getContent();
    }

    @Test
    void switchingProvidersAtRuntimeSendsTheNextMailThroughTheNewOne() throws Exception {
        assertStored(client.storeConfiguration(serverA(PASSWORD, "noreply@a.example")));
        assertSent(client.sendEmail(otpMail("Ann")));
        assertEquals(1, SERVER_A.getReceivedMessages().length);

        assertStored(client.storeConfiguration(serverB("noreply@b.example")));
        assertSent(client.sendEmail(otpMail("Bob")));

        assertEquals(1, SERVER_B.getReceivedMessages().length);
        assertEquals(1, SERVER_A.getReceivedMessages().length, "a mail still went to the old provider");
        assertTrue(htmlOf(SERVER_B.getReceivedMessages()[0]).contains("Hello Bob,"));
    }

    @Test
    void afterACredentialsChangeSendsSucceedWithTheNewPassword() throws Exception {
        assertStored(client.storeConfiguration(serverA("old-password", "noreply@a.example")));

        HttpResponse<String> refused = client.sendEmail(otpMail("Ann"));
        assertEquals(502, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("\"SMTP_REFUSED\""), refused.body());
        assertTrue(refused.body().contains("refused the login of user 'ops': 535"), refused.body());
        assertFalse(refused.body().contains("old-password"), refused.body());

        assertStored(client.storeConfiguration(serverA(PASSWORD, "noreply@a.example")));
        assertSent(client.sendEmail(otpMail("Ann")));
        assertEquals(1, SERVER_A.getReceivedMessages().length);
    }

    @Test
    void aSenderChangeShowsInFrom() throws Exception {
        assertStored(client.storeConfiguration(serverB("first@b.example")));
        assertSent(client.sendEmail(otpMail("Ann")));

        assertStored(client.storeConfiguration(serverB("second@b.example").replace("\"127.0.0.1\"", "\"****************\"")));
        // A sender named in the request does not override the configured one.
        assertSent(client.sendEmail(otpMail("Ann").replaceFirst("\\{", "{\"fromEmailDomain\": \"boss@elsewhere.example\", ")));

        MimeMessage[] received = SERVER_B.getReceivedMessages();
        assertEquals("first@b.example", received[0].getFrom()[0].toString());
        assertEquals("second@b.example", received[1].getFrom()[0].toString());
    }

    @Test
    void templateValuesArriveHtmlEscaped() throws Exception {
        assertStored(client.storeConfiguration(serverB("noreply@b.example")));

        assertSent(client.sendEmail(otpMail("<script>alert(1)</script>")));

        String html = htmlOf(SERVER_B.getReceivedMessages()[0]);
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
    }

    @Test
    void anAttachmentArrivesAsSent() throws Exception {
        assertStored(client.storeConfiguration(serverB("noreply@b.example")));
        byte[] pdf = new byte[3000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31);
        }

        assertSent(client.sendEmail("""
                {"emailTemplateType": "resetPassword", "sendEmailTo": ["user@example.com"], "subject": "Your report",
                 "templateData": {"name": "Ann", "link": "https://app.example/reset"},
                 "attachments": [{"filename": "report.pdf", "content": "%s", "contentType": "application/pdf"}]}"""
                .formatted(Base64.getEncoder().encodeToString(pdf))));

        MimeMessage mail = SERVER_B.getReceivedMessages()[0];
        assertEquals("Your report", mail.getSubject());
        BodyPart attachment = ((Multipart) mail.getContent()).getBodyPart(1);
        assertEquals("report.pdf", attachment.getFileName());
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        attachment.getDataHandler().writeTo(content);
        assertArrayEquals(pdf, content.toByteArray());
    }

    @Test
    void withNothingStoredASendIs400SayingSmtpIsNotConfigured() throws Exception {
        HttpResponse<String> response = client.sendEmail(otpMail("Ann"));

        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("SMTP is not configured"), response.body());
    }

    @Test
    void afterTheStoredConfigurationFailedToLoadASendNamesTheFailure() throws Exception {
        Files.writeString(directory.resolve("smtp.json"), "{\"host\": \"127.0.0.1\", \"port\": 70000, "
                + "\"fromEmail\": \"noreply@b.example\"}");
        assertEquals(400, client.reload().statusCode());

        HttpResponse<String> response = client.sendEmail(otpMail("Ann"));

        assertEquals(400, response.statusCode());
        assertTrue(response.body().matches("\\{\"error\":\\{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"SMTP is not "
                + "configured: loading the stored configuration failed at [-0-9T:.]+Z: The SMTP configuration "
                + "in file .*smtp.json is invalid: port must be .*\\. Fix what this names, then reload the configuration "
                + "\\(or store one that works\\) before sending mail\"}}"), response.body());
    }

    @Test
    void aLoginWithAServerOfferingNoAuthIs502SayingSoAndNothingIsSent() throws Exception {
        try (TestSmtpServer noAuth = TestSmtpServer.start(options -> {})) {
            assertStored(client.storeConfiguration("{\"host\": \"127.0.0.1\", \"port\": " + noAuth.port()
                    + ", \"username\": \"ops\", \"password\": \"" + PASSWORD + "\", \"fromEmail\": \"noreply@a.example\"}"));

            HttpResponse<String> refused = client.sendEmail(otpMail("Ann"));

            assertEquals(502, refused.statusCode(), refused.body());
            assertTrue(refused.body().startsWith("{\"error\":{\"code\":\"SMTP_REFUSED\",\"message\":\"The SMTP server "
                    + "127.0.0.1:" + noAuth.port() + " cannot log in user 'ops': it offers no SMTP AUTH on this "
                    + "connection in plain text, nor STARTTLS to upgrade it: it may offer AUTH only over TLS"), refused.body());
            assertEquals(List.of(), noAuth.mails());
        }
    }

    @Test
    void anInvalidConfigurationIsRefusedAndNothingIsStored() throws Exception {
        HttpResponse<String> response = client.storeConfiguration(serverB("not-an-address"));

        assertEquals(400, response.statusCode(), response.body());
        assertEquals("{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"fromEmail must be an e-mail address like "
                + "name@example.com, or Name <name@example.com>\"}}", response.body());
        assertFalse(Files.exists(directory.resolve("smtp.json")));
    }

    @Test
    void aMemberMayNotStoreAConfiguration() throws Exception {
        HttpResponse<String> response = client.call("POST", "/api/v1/configurationManager/smtpConfig",
                Tokens.user(USER_SECRET, "member"), serverB("noreply@b.example"));

        assertEquals(403, response.statusCode(), response.body());
        assertFalse(Files.exists(directory.resolve("smtp.json")));
    }

    @Test
    void theStoredConfigurationIsShownMaskedToAdminsAndInFullToServicesAndKeptPrivateOnDisk() throws Exception {
        assertStored(client.storeConfiguration(serverA(PASSWORD, "noreply@a.example")));

        String masked = client.call("GET", "/api/v1/configurationManager/smtpConfig", Tokens.user(USER_SECRET, "admin"),
                null).body();
        String fullView = client.call("GET", "/api/v1/configurationManager/internal/smtpConfig").body();

        assertTrue(masked.contains("\"password\":\"****************\""), masked);
        assertFalse(masked.contains(PASSWORD), masked);
        assertTrue(fullView.contains("\"password\":\"" + PASSWORD + "\""), fullView);
        assertEquals(PosixFilePermissions.fromString("rw-------"),
                Files.getPosixFilePermissions(directory.resolve("smtp.json")));
    }

    private static String withAttachment(String filename, String contentType) {
        return """
                {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"],
                 "templateData": {"name": "Ann", "otp": "123456"},
                 "attachments": [{"filename": "%s", "content": "aGVsbG8=", "contentType": "%s"}]}"""
                .formatted(filename, contentType);
    }

    @Test
    void aLineBreakInAnAttachmentsNameIsRefusedAndNoHeaderIsWritten() throws Exception {
        assertStored(client.storeConfiguration(serverB("noreply@b.example")));

        HttpResponse<String> response = client.sendEmail(withAttachment("a.txt\\r\\nX-Injected: yes", "text/plain"));

        for (MimeMessage mail : SERVER_B.getReceivedMessages()) {
            BodyPart attachment = ((Multipart) mail.getContent()).getBodyPart(1);
            assertEquals(null, attachment.getHeader("X-Injected"), "a client wrote a header of the attachment's part");
        }
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"attachments[0].filename must be a name "
                + "without line breaks or other control characters\"}}", response.body());
        assertEquals(0, SERVER_B.getReceivedMessages().length);
    }

    @Test
    void anAttachmentTypeThatIsNotAMediaTypeIs400NotAFailureToSend() throws Exception {
        assertStored(client.storeConfiguration(serverB("noreply@b.example")));

        for (String contentType : new String[] {"not a type;;;", "text/plain\\r\\nX-Injected: yes",
                "multipart/mixed; boundary=zzz"}) {
            HttpResponse<String> response = client.sendEmail(withAttachment("a.txt", contentType));

            assertEquals(400, response.statusCode(), contentType + ": " + response.body());
            assertTrue(response.body().contains("\"message\":\"attachments[0].contentType must"), response.body());
        }
        assertEquals(0, SERVER_B.getReceivedMessages().length);
    }

    /** {@code count} quoted addresses, comma-separated, for a JSON array. */
    private static String addresses(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> "\"" + prefix + i + "@example.com\"")
                .collect(Collectors.joining(", "));
    }

    @Test
    void moreRecipientsThanTheCapAreRefusedAndNothingIsSent() throws Exception {
        assertStored(client.storeConfiguration(serverB("noreply@b.example")));
        HttpResponse<String> response = client.sendEmail("""
                {"emailTemplateType": "loginWithOTP", "sendEmailTo": [%s], "sendCcTo": [%s],
                 "templateData": {"name": "Ann", "otp": "123456"}}""".formatted(addresses("to", 40), addresses("cc", 11)));

        assertEquals(400, response.statusCode(), response.body());
        assertEquals("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"sendEmailTo may hold at most 50 addresses "
                + "with the carbon copies; this mail has 51\"}}", response.body());
        assertEquals(0, SERVER_B.getReceivedMessages().length);
    }

    @Test
    void theStoredPasswordIsNeverKeptForAnotherHostPortOrTlsSoItCannotBeSentThere() throws Exception {
        assertStored(client.storeConfiguration(serverA(PASSWORD, "noreply@a.example")));
        // An admin points the stored credentials at a server of their own (another host, or another port of the
        // same host), or asks for less TLS, sending the password back masked.
        for (String elsewhere : List.of("\"host\": \"localhost\", \"port\": " + SERVER_B.getSmtp().getPort(),
                "\"host\": \"127.0.0.1\", \"port\": " + SERVER_B.getSmtp().getPort(),
                "\"host\": \"127.0.0.1\", \"port\": " + SERVER_A.getSmtp().getPort() + ", \"secure\": true")) {
            HttpResponse<String> response = client.storeConfiguration("{" + elsewhere + ", \"username\": \"ops\", "
                    + "\"password\": \"****************\", \"fromEmail\": \"noreply@a.example\"}");

            assertEquals(400, response.statusCode(), response.body());
            assertEquals("{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"password must be given again: the "
                    + "stored password is kept only while host, port, secure and username stay the same\"}}",
                    response.body());
        }
        String stored = client.call("GET", "/api/v1/configurationManager/internal/smtpConfig").body();
        assertTrue(stored.contains("\"port\":" + SERVER_A.getSmtp().getPort()), stored);
        assertSent(client.sendEmail(otpMail("Ann")));
        assertEquals(1, SERVER_A.getReceivedMessages().length);
        assertEquals(0, SERVER_B.getReceivedMessages().length);
    }

    @Test
    void aValueInTheWrongFieldIsRefusedWithoutBeingQuoted() throws Exception {
        HttpResponse<String> response = client.storeConfiguration(serverB("noreply@b.example")
                .replace("\"port\": " + SERVER_B.getSmtp().getPort(), "\"port\": \"" + PASSWORD + "\""));

        assertEquals(400, response.statusCode(), response.body());
        assertEquals("{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"port must be a whole number: a JSON "
                + "number or a string of digits alone\"}}", response.body());
        // The answers and the log lines are checked for the password after each test.
    }

    @Test
    void aHostThatIsNotAHostIsRefusedWhenStoredNotWhenSending() throws Exception {
        for (String host : new String[] {"127.0.0.1:25", "smtp://smtp.example.com", "smtp.example.com\\u0000",
                "smtp\\u202e.example.com", "a".repeat(5_000)}) {
            HttpResponse<String> response = client.storeConfiguration(serverB("noreply@b.example")
                    .replace("\"127.0.0.1\"", "\"" + host + "\""));

            assertEquals(400, response.statusCode(), host + ": " + response.body());
            assertTrue(response.body().startsWith("{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"host must be "),
                    response.body());
        }
        assertFalse(Files.exists(directory.resolve("smtp.json")));
    }
}
