package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The assembled service's meters, read from its metrics endpoint, moving with what it does. */
class ObserveEndToEndTest {

    @RegisterExtension
    static final GreenMailExtension SMTP_SERVER = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    @RegisterExtension
    final AssembledService service = new AssembledService();

    @TempDir
    Path directory;

    private static final String MAIL = """
            {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"],
             "templateData": {"name": "A", "otp": "123456"}}""";

    @Test
    void reloadsSendsAndConnectionsShowInTheMetrics() throws Exception {
        Files.writeString(directory.resolve("smtp.json"), "{\"host\": \"127.0.0.1\", \"port\": "
                + SMTP_SERVER.getSmtp().getPort() + ", \"fromEmail\": \"noreply@example.com\"}");
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(),
                "SMTP_CONFIG_WATCH", "false"));
        String before = client.metrics();

        assertEquals(200, client.reload().statusCode());
        assertEquals(200, client.sendEmail(MAIL).statusCode());
        String after = client.metrics();

        assertEquals(1, ServiceClient.metric(after, "mailservice_reloads_total", "source=\"file\"", "outcome=\"unchanged\"")
                - ServiceClient.metric(before, "mailservice_reloads_total", "source=\"file\"", "outcome=\"unchanged\""), after);
        assertTrue(ServiceClient.metric(after, "mailservice_reloads_total", "source=\"file\"", "outcome=\"applied\"") >= 1, after);
        assertEquals(1, ServiceClient.metric(after, "mailservice_mails_total", "template=\"loginWithOTP\"", "outcome=\"sent\"")
                - ServiceClient.metric(before, "mailservice_mails_total", "template=\"loginWithOTP\"", "outcome=\"sent\""), after);
        assertTrue(ServiceClient.metric(after, "mailservice_send_duration_seconds_count", "template=\"loginWithOTP\"") >= 1, after);
        assertTrue(after.contains("mailservice_reload_duration_seconds_bucket{"), after);
        assertTrue(ServiceClient.metric(after, "mailservice_smtp_connections_opened_total") >= 1, after);
        assertEquals(1, ServiceClient.metric(after, "mailservice_smtp_connections_idle"), after);
        assertEquals(0, ServiceClient.metric(after, "mailservice_smtp_connections_busy"), after);
        assertEquals(1, ServiceClient.metric(after, "mailservice_configuration_active"), after);
        assertEquals(1, ServiceClient.metric(after, "mailservice_backend_up"), after);
        assertTrue(ServiceClient.metric(after, "mailservice_configuration_applied_timestamp_seconds") > 1.7e9, after);
        assertTrue(after.contains("scope=\"base\""), "the JVM's own meters are missing: " + after);
        assertTrue(!after.contains("127.0.0.1") && !after.contains("noreply@example.com") && !after.contains("user@example.com"),
                "a meter shows an address: " + after);
    }

    /** The meters in the two formats besides Prometheus' text that docs/operations.md says are served on request. */
    @Test
    void theMetricsAreAlsoServedAsOpenMetricsAndAsJson() throws Exception {
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("none.json").toString()));

        HttpResponse<String> openMetrics = client.metrics("application/openmetrics-text");
        assertEquals(200, openMetrics.statusCode(), openMetrics.body());
        assertTrue(openMetrics.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                openMetrics.headers().map().toString());
        assertTrue(openMetrics.body().contains("\nmailservice_configuration_active{scope=\"application\"} 0.0\n"),
                openMetrics.body());
        assertTrue(openMetrics.body().endsWith("# EOF\n"), openMetrics.body());
        HttpResponse<String> json = client.metrics("application/json");
        assertEquals(200, json.statusCode(), json.body());
        assertTrue(json.body().contains("\"mailservice.configuration.active\":0.0"), json.body());
        assertTrue(json.body().contains("\"base\":{"), json.body());
    }

    @Test
    void healthAndTheDocumentAreServedWithoutAToken() throws Exception {
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("none.json").toString()));

        HttpResponse<String> ready = client.call("GET", "/observe/health/ready", "none", null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"smtpActive\":false"), ready.body());
        assertTrue(ready.body().contains("\"backend\":\"file\""), ready.body());
        HttpResponse<String> document = client.call("GET", "/openapi", "none", null);
        assertEquals(200, document.statusCode());
        assertTrue(document.body().startsWith("openapi: 3.1.0"), document.body());
    }
}
