package dev.mailservice.bootstrap.process;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailservice.testkit.ServiceProcess;
import dev.mailservice.testkit.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as its own process with {@code LOG_FORMAT=json}: every line it writes is a JSON
 * object, a request's id comes back in its answer and is on every line it caused, and no line shows
 * a token, a password or a body.
 */
class JsonLogsProcessTest {

    private static final String PASSWORD = "Json-Log-Pa55";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private static HttpResponse<String> post(HttpClient client, int port, String path, String token, String requestId,
            String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyLineIsJsonAndARequestsIdIsOnEveryLineItCaused() throws Exception {
        String adminToken = Tokens.user(USER_SECRET, "admin");
        String configuration = "{\"host\": \"smtp.example.com\", \"port\": 587, \"username\": \"ops\", \"password\": \""
                + PASSWORD + "\", \"fromEmail\": \"noreply@example.com\"}";
        List<JsonNode> lines = new ArrayList<>();
        try (ServiceProcess service = ServiceProcess.launch(directory, Map.of("LOG_FORMAT", "json",
                "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", USER_SECRET, "SMTP_CONFIG_WATCH", "false",
                "SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(), "PORT", "0"));
                HttpClient client = HttpClient.newHttpClient()) {
            int port = service.awaitReadyPort();

            HttpResponse<String> stored = post(client, port, "/api/v1/configurationManager/smtpConfig", adminToken,
                    "save-42", configuration);
            HttpResponse<String> reloaded = post(client, port, "/api/v1/mail/updateSmtpConfig",
                    Tokens.scoped(SCOPED_SECRET, "fetch:config"), "bad id with spaces", "{}");

            assertEquals(200, stored.statusCode(), stored.body());
            assertEquals("save-42", stored.headers().firstValue("X-Request-Id").orElseThrow());
            String madeUp = reloaded.headers().firstValue("X-Request-Id").orElseThrow();
            assertTrue(madeUp.matches("[0-9a-f-]{36}"), "an unacceptable id was not replaced: " + madeUp);

            service.terminate();
            assertEquals(143, service.exitCode());
            for (String line : service.output()) {
                lines.add(JSON.readTree(line)); // fails on a line that is not JSON
                // The password is in the save's body: a line without it shows neither the password nor the body.
                assertFalse(line.contains(PASSWORD) || line.contains(adminToken), "a line shows a secret or a body: " + line);
            }
        }

        List<JsonNode> ofTheSave = lines.stream().filter(line -> "save-42".equals(line.path("requestId").asText())).toList();
        assertTrue(ofTheSave.stream().anyMatch(line -> line.path("message").asText().startsWith("Applied the SMTP "
                + "configuration")), "the line of the configuration the save applied lacks its id: " + lines);
        JsonNode access = ofTheSave.stream().filter(line -> "dev.mailservice.access".equals(line.path("logger").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no access line for the save: " + lines));
        assertEquals("POST", access.path("method").asText());
        assertEquals("/api/v1/configurationManager/smtpConfig", access.path("path").asText());
        assertEquals(200, access.path("status").asInt());
        assertTrue(access.has("durationMs"), access.toString());
        assertTrue(lines.stream().anyMatch(line -> line.path("message").asText().startsWith("Mail service ready on port")),
                lines.toString());
        assertTrue(lines.stream().allMatch(line -> line.has("time") && line.has("level") && line.has("logger")),
                lines.toString());
    }
}
