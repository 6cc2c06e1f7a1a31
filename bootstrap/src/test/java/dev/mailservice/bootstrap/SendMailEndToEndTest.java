package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.adapters.http.Tokens;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop over HTTP: store a configuration through the config-manager route, send mail
 * through it, switch it, against two real SMTP servers (GreenMail A and B).
 */
class SendMailEndToEndTest {

    static final String SCOPED_SECRET = "a1B2c3D4e5F6g7H8i9J0";
    static final String USER_SECRET = "u1S2e3R4s5E6c7R8e9T0";
    private static final String PASSWORD = "A-Pa55-2026";

    @RegisterExtension
    static final GreenMailExtension SERVER_A = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@a.example", "ops", PASSWORD));

    @RegisterExtension
    static final GreenMailExtension SERVER_B = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    @TempDir
    Path directory;

    private MailService service;
    private ServiceClient client;

    @BeforeEach
    void start() {
        service = MailService.assemble(Settings.fromEnvironment(Map.of("PORT", "0",
                "SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(),
                "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", USER_SECRET))).start();
        client = new ServiceClient(service.port(), SCOPED_SECRET, USER_SECRET);
    }

    @AfterEach
    void stopAndCheckThatThePasswordNeverShowed() {
        client.close();
        service.stop();
        client.assertNoAnswerShows(PASSWORD);
        logs.assertNoLineShows(PASSWORD);
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
        assertEquals(500, refused.statusCode(), refused.body());
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
    void anInvalidConfigurationIsRefusedAndNothingIsStored() throws Exception {
        HttpResponse<String> response = client.storeConfiguration(serverB("not-an-address"));

        assertEquals(400, response.statusCode(), response.body());
        assertEquals("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"fromEmail must be an e-mail address like "
                + "name@example.com, got 'not-an-address'\"}}", response.body());
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
}
