package dev.mailservice.adapters.http.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.http.HttpAdapterTest;
import dev.mailservice.adapters.http.OpenApiDocument;
import dev.mailservice.adapters.http.metrics.HelidonServiceMetrics;
import dev.mailservice.application.port.in.GetServiceHealth.BackendContact;
import dev.mailservice.application.port.in.GetServiceHealth.ServiceHealth;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.domain.SmtpStep;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.testing.junit5.ServerTest;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The endpoints for operators on the main port: health, metrics and the OpenAPI document, without a token. */
@ServerTest
class ObservabilityTest extends HttpAdapterTest {

    ObservabilityTest(WebServer server, Http1Client client) {
        super(server, client);
    }

    @Test
    void livenessIsUpWithoutAToken() {
        Answer live = call("GET", "/observe/health/live", null, NO_BODY);

        assertEquals(200, live.statusCode(), live.body());
        assertTrue(live.body().startsWith("{\"status\":\"UP\""), live.body());
    }

    @Test
    void aReplicaWithNothingActiveIsReadyAndSaysSo() {
        Answer ready = call("GET", "/observe/health/ready", null, NO_BODY);

        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"smtpActive\":false"), ready.body());
        assertTrue(ready.body().contains("\"stopping\":false"), ready.body());
    }

    @Test
    void aBackendOutageShowsInTheDetailsAndLeavesTheReplicaReady() {
        Instant lost = Instant.parse("2026-11-30T07:00:00Z");
        useCases.health = new ServiceHealth(true, Optional.of(lost.minusSeconds(60)),
                Optional.of(new BackendContact("etcd", false, lost)));

        Answer ready = call("GET", "/observe/health/ready", null, NO_BODY);

        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"backend\":\"etcd\""), ready.body());
        assertTrue(ready.body().contains("\"backendReachable\":false"), ready.body());
        assertTrue(ready.body().contains("\"backendContactAt\":\"2026-11-30T07:00:00Z\""), ready.body());
        assertTrue(ready.body().contains("\"appliedAt\":\"2026-11-30T06:59:00Z\""), ready.body());
    }

    @Test
    void metricsAreServedInPrometheusTextWithTheServicesMeters() {
        HelidonServiceMetrics metrics = new HelidonServiceMetrics();
        metrics.reloadFinished("file", ServiceMetrics.ReloadOutcome.APPLIED, Duration.ofMillis(3));
        metrics.mailFinished("loginWithOTP", ServiceMetrics.MailOutcome.SENT, Duration.ofMillis(40));
        metrics.verificationFinished(ServiceMetrics.VerificationTrigger.SAVE, Optional.of(SmtpStep.TLS));
        metrics.verificationRefused();

        Answer served = call("GET", "/observe/metrics", null, NO_BODY);

        assertEquals(200, served.statusCode(), served.body());
        assertTrue(served.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"),
                served.headers().toString());
        assertTrue(served.body().matches("(?s).*mailservice_reloads_total\\{[^}]*outcome=\"applied\"[^}]*source=\"file\".*"),
                served.body());
        assertTrue(served.body().contains("mailservice_reload_duration_seconds_bucket{"), served.body());
        assertTrue(served.body().matches("(?s).*mailservice_mails_total\\{[^}]*outcome=\"sent\"[^}]*template=\"loginWithOTP\".*"),
                served.body());
        assertTrue(served.body().matches("(?s).*mailservice_verifications_total\\{[^}]*outcome=\"failed\"[^}]*step=\"tls\""
                + "[^}]*trigger=\"save\".*"), served.body());
        assertTrue(served.body().matches("(?s).*mailservice_verifications_total\\{[^}]*outcome=\"refused\"[^}]*step=\"none\""
                + "[^}]*trigger=\"request\".*"), served.body());
    }

    @Test
    void gaugesAndCountersReadTheirLatestSourceEvenAfterACollection() {
        new HelidonServiceMetrics().counter("test.opened", "Opened by an earlier assembly", new AtomicLong(5)::get);
        HelidonServiceMetrics metrics = new HelidonServiceMetrics();
        // Bound method references, as the service passes: objects of their own, which a collection could take.
        metrics.counter("test.opened", "Opened", new AtomicLong(7)::get);
        metrics.gauge("test.idle", "Idle", new AtomicInteger(3)::get);
        // Collections until one took an object reachable only weakly, as the meters' sources would be without these.
        WeakReference<Object> probe = new WeakReference<>(new Object());
        for (int collection = 0; collection < 10 && probe.get() != null; collection++) {
            System.gc();
        }
        assertNull(probe.get(), "no collection took a weakly reachable object: the test shows nothing");

        Answer served = call("GET", "/observe/metrics", null, NO_BODY);
        // These meters hold their sources for as long as they are reachable: up to here.
        Reference.reachabilityFence(metrics);

        assertTrue(served.body().matches("(?s).*\\nmailservice_test_opened_total\\{[^}]*} 7\\.0\\n.*"), served.body());
        assertTrue(served.body().matches("(?s).*\\nmailservice_test_idle\\{[^}]*} 3\\.0\\n.*"), served.body());
    }

    @Test
    void theOpenApiDocumentIsServedAsTheFileSaysInYamlAndInJsonBothValidOpenApi31() {
        Answer yaml = call("GET", "/openapi", null, NO_BODY);
        Answer json = call("GET", "/openapi", null, NO_BODY, Map.of("Accept", "application/json"));

        assertEquals(200, yaml.statusCode(), yaml.body());
        assertTrue(yaml.body().startsWith("openapi: 3.1.0"), yaml.body());
        assertEquals(200, json.statusCode(), json.body());
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow());
        OpenApiDocument fromJson = OpenApiDocument.parse(json.body(), true);
        OpenApiDocument fromYaml = OpenApiDocument.parse(yaml.body(), false);
        assertEquals(List.of(), fromYaml.openApi31Problems());
        assertEquals(List.of(), fromJson.openApi31Problems());
        assertEquals(OpenApiDocument.read().tree(), fromYaml.tree(), "the YAML served is not the file's document");
        assertEquals(fromYaml.tree(), fromJson.tree(), "the JSON served says something else than the YAML");
        assertEquals("Apache-2.0", fromJson.tree().at("/info/license/identifier").asText());
    }

    @Test
    void theOpenApiValidationRefusesWhatOpenApi31Refuses() {
        assertFalse(OpenApiDocument.parse("{\"openapi\": \"3.1.0\", \"paths\": {}}", true).openApi31Problems().isEmpty(),
                "a document without info passed");
        assertFalse(OpenApiDocument.parse("""
                {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                 "components": {"schemas": {"Wrong": {"type": "strin"}}}}""", true).openApi31Problems().isEmpty(),
                "a schema of an unknown type passed");
        assertEquals(List.of(), OpenApiDocument.parse("""
                {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                 "components": {"schemas": {"Right": {"type": ["string", "null"]}}}}""", true).openApi31Problems());
    }

    @Test
    void aPathNoRouteTakesIsStillAnsweredInTheContractsShape() {
        assertError(call("GET", "/observe/nothing", null, NO_BODY), 404, "HTTP_NOT_FOUND", "No route GET /observe/nothing");
        assertError(call("GET", "/api/v1/mail/nothing", null, NO_BODY), 404, "HTTP_NOT_FOUND",
                "No route GET /api/v1/mail/nothing");
    }
}
