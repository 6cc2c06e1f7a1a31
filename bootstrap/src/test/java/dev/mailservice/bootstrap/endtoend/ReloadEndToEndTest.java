package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service as Guice assembles it (file backend, Jakarta Mail, Helidon on a free port),
 * driven over HTTP, with mail going to a real SMTP server (GreenMail).
 */
class ReloadEndToEndTest {

    private static final String PASSWORD = "Pa55-never-shown";

    @RegisterExtension
    static final GreenMailExtension SMTP_SERVER =
            new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                    .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.com", "ops", PASSWORD));

    @RegisterExtension
    final AssembledService service = new AssembledService(PASSWORD);

    @TempDir
    Path directory;

    private ServiceClient client;

    private Path configFile() {
        return directory.resolve("smtp.json");
    }

    private void store(String json) throws Exception {
        Files.writeString(configFile(), json);
    }

    private static String configuration(String fromEmail) {
        return """
                {"host": "127.0.0.1", "port": %d, "username": "ops", "password": "%s", "fromEmail": "%s"}"""
                .formatted(SMTP_SERVER.getSmtp().getPort(), PASSWORD, fromEmail);
    }

    /** Starts the service; without watching, so that each test decides when a reload happens. */
    private void start() {
        start(false);
    }

    private void start(boolean watch) {
        client = service.start(Map.of("SMTP_CONFIG_FILE", configFile().toString(), "SMTP_TIMEOUT_MS", "5000",
                "SMTP_CONFIG_WATCH", Boolean.toString(watch)));
    }

    private HttpResponse<String> reload() throws Exception {
        return client.reload();
    }

    private String status() throws Exception {
        return client.status();
    }

    /** Sends a mail through the send route; fails unless the service answers that it was sent. */
    private void sendOneMail() throws Exception {
        HttpResponse<String> sent = sendOneMailAnswer();
        assertEquals(200, sent.statusCode(), sent.body());
    }

    private HttpResponse<String> sendOneMailAnswer() throws Exception {
        return client.sendEmail("{\"emailTemplateType\": \"loginWithOTP\", \"sendEmailTo\": [\"alice@example.com\"], "
                + "\"subject\": \"hello\", \"templateData\": {\"name\": \"Alice\", \"otp\": \"1\"}}");
    }

    private static String reloaded(String fromEmail) {
        return "{\"message\":\"SMTP configuration updated successfully\",\"smtp\":{\"host\":\"127.0.0.1\",\"port\":"
                + SMTP_SERVER.getSmtp().getPort() + ",\"username\":\"ops\",\"fromEmail\":\"" + fromEmail + "\"}}";
    }

    private static void assertContractError(HttpResponse<String> response, int status, String code, Pattern message) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        var matcher = Pattern.compile("\\{\"error\":\\{\"code\":\"" + code + "\",\"message\":\"(.*)\"}}")
                .matcher(response.body());
        assertTrue(matcher.matches(), response.body());
        assertTrue(message.matcher(matcher.group(1)).find(), response.body());
    }

    @Test
    void appliesTheStoredConfigurationAtStartAndFollowsEditsAtEachReload() throws Exception {
        store(configuration("first@example.com"));
        start();
        assertTrue(status().contains("\"fromEmail\":\"first@example.com\""));
        sendOneMail();

        store(configuration("second@example.com"));
        HttpResponse<String> response = reload();

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(reloaded("second@example.com"), response.body());
        assertTrue(status().matches("\\{\"smtp\":\\{.*\"fromEmail\":\"second@example.com\"},\"appliedAt\":\"[0-9T:.\\-]+Z\","
                + "\"source\":\"file\",\"lastReloadError\":null,\"warnings\":\\[],\"lastVerified\":null,\"oauth2Token\":null}"), status());
        sendOneMail();
        var received = SMTP_SERVER.getReceivedMessages();
        assertEquals(2, received.length);
        assertEquals("first@example.com", received[0].getFrom()[0].toString());
        assertEquals("second@example.com", received[1].getFrom()[0].toString(), "the reload did not reach the sender");
    }

    @Test
    void aMalformedFileIsRefusedAndThePreviousConfigurationStaysActive() throws Exception {
        store(configuration("first@example.com"));
        start();
        store("""
                {"host": "127.0.0.1",
                 "password": %s,
                 "fromEmail": "other@example.com"}""".formatted(PASSWORD));

        assertContractError(reload(), 400, "HTTP_BAD_REQUEST",
                Pattern.compile("^The SMTP configuration in file .*smtp.json is not valid JSON \\(line 2, column \\d+\\)$"));

        String status = status();
        assertTrue(status.startsWith("{\"smtp\":{\"host\":\"127.0.0.1\",\"port\":" + SMTP_SERVER.getSmtp().getPort()
                + ",\"username\":\"ops\",\"fromEmail\":\"first@example.com\"}"), status);
        assertTrue(status.matches(".*\"lastReloadError\":\\{\"at\":\"[^\"]+\",\"message\":\"The SMTP configuration in file "
                + ".*is not valid JSON \\(line 2, column \\d+\\)\"},\"warnings\":\\[],\"lastVerified\":null,\"oauth2Token\":null}"), status);
        sendOneMail();
        assertEquals("first@example.com", SMTP_SERVER.getReceivedMessages()[0].getFrom()[0].toString());
    }

    @Test
    void anInvalidPortIsRefusedByNameAndThePreviousConfigurationStaysActive() throws Exception {
        store(configuration("first@example.com"));
        start();
        store(configuration("second@example.com").replace("\"port\": " + SMTP_SERVER.getSmtp().getPort(), "\"port\": 70000"));

        assertContractError(reload(), 400, "HTTP_BAD_REQUEST",
                Pattern.compile("is invalid: port must be between 1 and 65535$"));

        String status = status();
        assertTrue(status.contains("\"fromEmail\":\"first@example.com\""), status);
        assertTrue(status.contains("port must be between 1 and 65535"), status);
        assertFalse(status.contains("70000"), "a stored value was quoted: " + status);
    }

    @Test
    void aDeletedFileAnswersNullAndThePreviousConfigurationStaysActiveWithAWarning() throws Exception {
        store(configuration("first@example.com"));
        start();
        Files.delete(configFile());

        HttpResponse<String> response = reload();

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":null}", response.body());
        String status = status();
        assertTrue(status.contains("\"fromEmail\":\"first@example.com\""), status);
        assertTrue(status.matches(".*\"lastReloadError\":null,\"warnings\":\\[\"Nothing is stored in file .*smtp.json; "
                + "the configuration applied at [0-9T:.\\-]+Z stays active\"],\"lastVerified\":null,\"oauth2Token\":null}"), status);
        sendOneMail();
        assertEquals(1, SMTP_SERVER.getReceivedMessages().length);
    }

    @Test
    void aSuccessfulReloadClearsTheLastError() throws Exception {
        store("{");
        start();
        assertTrue(status().contains("\"lastReloadError\":{"));
        store(configuration("first@example.com"));

        assertEquals(200, reload().statusCode());

        assertTrue(status().endsWith("\"lastReloadError\":null,\"warnings\":[],\"lastVerified\":null,\"oauth2Token\":null}"), status());
    }

    @Test
    void withHideSecretConfigAnAdminReadsTheStatusWithWhatTheAdminViewHidesHiddenAndAServiceInFull() throws Exception {
        store(configuration("noreply@example.com"));
        client = service.start(Map.of("SMTP_CONFIG_FILE", configFile().toString(), "HIDE_SECRET_CONFIG", "true"));
        String admin = Tokens.user(Tokens.USER_SECRET, "admin");

        String adminView = client.call("GET", "/api/v1/configurationManager/smtpConfig", admin, null).body();
        String adminStatus = client.call("GET", "/api/v1/mail/smtpConfig", admin, null).body();

        for (String hidden : List.of("\"host\":\"****************\"", "\"username\":\"****************\"",
                "\"fromEmail\":\"****************\"")) {
            assertTrue(adminView.contains(hidden), adminView);
            assertTrue(adminStatus.contains(hidden), adminStatus);
        }
        assertFalse(adminStatus.contains("127.0.0.1") || adminStatus.contains("noreply@example.com"), adminStatus);
        assertTrue(status().contains("\"host\":\"127.0.0.1\""), "a service reads the status as it is: " + status());
    }

    @Test
    void startsWithNothingActiveAndNoErrorWhenNoConfigurationIsStored() throws Exception {
        start();

        assertEquals("{\"smtp\":null,\"appliedAt\":null,\"source\":null,\"lastReloadError\":null,\"warnings\":[],"
                + "\"lastVerified\":null,\"oauth2Token\":null}",
                status());
        assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":null}", reload().body());
        HttpResponse<String> refused = sendOneMailAnswer();
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("SMTP is not configured"), refused.body());
    }

    @Test
    void startsWithNothingActiveWhenTheStoredConfigurationIsInvalid() throws Exception {
        store(configuration("not-an-address"));

        start();

        String status = status();
        assertTrue(status.startsWith("{\"smtp\":null,"), status);
        assertTrue(status.contains("fromEmail must be an e-mail address"), status);
        assertTrue(service.logLines().stream().anyMatch(line -> line.contains("Starting with no SMTP configuration active")));
    }

    @Test
    void logsOneReadyLineWithThePort() {
        start();

        List<String> ready = service.logLines().stream().filter(line -> line.contains("ready")).toList();
        assertEquals(1, ready.size(), ready.toString());
        assertTrue(ready.getFirst().contains("Mail service ready on port " + service.port()), ready.getFirst());
    }

    @Test
    void whenWatchingAnEditedFileAppliesWithoutAReloadAndABadEditIsRecorded() throws Exception {
        store(configuration("first@example.com"));
        start(true);

        store(configuration("second@example.com"));
        client.statusWithin(Duration.ofSeconds(10), status -> status.contains("\"fromEmail\":\"second@example.com\""));

        store("{\"host\": ");
        String status = client.statusWithin(Duration.ofSeconds(10), body -> body.contains("\"lastReloadError\":{"));
        assertTrue(status.contains("\"fromEmail\":\"second@example.com\""), status);
    }
}
