package dev.mailservice.adapters.http.observe;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.http.HttpAdapterTest;
import dev.mailservice.adapters.http.HttpServer;
import dev.mailservice.application.port.in.GetServiceHealth.ServiceHealth;
import dev.mailservice.testkit.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Readiness as an orchestrator sees it, on servers started as the service starts its own. */
class ReadinessTest {

    private static final ServiceHealth NOTHING_ACTIVE = new ServiceHealth(false, Optional.empty(), Optional.empty());
    private static final ServiceHealth ACTIVE = new ServiceHealth(true, Optional.empty(), Optional.empty());

    private static HttpServer server(ServiceHealth health, boolean readyRequiresSmtp, OptionalInt observePort) {
        HttpAdapterTest.UseCases useCases = new HttpAdapterTest.UseCases();
        useCases.reset();
        return new HttpServer(0, Duration.ofSeconds(20), HttpAdapterTest.MAX_CONNECTIONS, Duration.ofSeconds(20), HttpAdapterTest.BUDGET, useCases.mailRoutes(),
                useCases.configManagerRoutes(), Optional.empty(), new Observability(() -> health, readyRequiresSmtp, observePort)).start();
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + Tokens.scoped(SCOPED_SECRET, "fetch:config"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void whenAConfigurationIsRequiredAReplicaWithoutOneIsNotReadyButLive() throws Exception {
        HttpServer server = server(NOTHING_ACTIVE, true, OptionalInt.empty());
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> ready = get(client, server.port(), "/observe/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"smtpActive\":false"), ready.body());
            assertEquals(200, get(client, server.port(), "/observe/health/live").statusCode());
        } finally {
            server.stop(Duration.ZERO);
        }
    }

    @Test
    void fromTheFirstMomentOfStoppingItIsNotReadyWhileItStillServesForTheGracePeriod() throws Exception {
        HttpServer server = server(ACTIVE, false, OptionalInt.empty());
        try (HttpClient client = HttpClient.newHttpClient()) {
            assertEquals(200, get(client, server.port(), "/observe/health/ready").statusCode());

            Duration grace = Duration.ofSeconds(3);
            long stopAsked = System.nanoTime();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(grace));
            HttpResponse<String> ready;
            do {
                ready = get(client, server.port(), "/observe/health/ready");
            } while (ready.statusCode() == 200);

            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"stopping\":true"), ready.body());
            HttpResponse<String> served = get(client, server.port(), "/api/v1/mail/smtpConfig");
            assertEquals(200, served.statusCode(), "a request in the grace period was not served: " + served.body());
            stopping.get(30, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - stopAsked >= grace.toNanos(), "the server stopped before its grace period was over");
        }
    }

    @Test
    void onAPortOfTheirOwnHealthAndMetricsLeaveTheMainPort() throws Exception {
        HttpServer server = server(ACTIVE, false, OptionalInt.of(0));
        try (HttpClient client = HttpClient.newHttpClient()) {
            assertTrue(server.observePort() != server.port(), "one port for both");

            assertEquals(200, get(client, server.observePort(), "/observe/health/ready").statusCode());
            assertEquals(200, get(client, server.observePort(), "/observe/metrics").statusCode());
            for (String path : List.of("/observe/health/ready", "/observe/metrics", "/observe")) {
                HttpResponse<String> onMain = get(client, server.port(), path);
                assertEquals(404, onMain.statusCode(), onMain.body());
                assertEquals("{\"error\":{\"code\":\"HTTP_NOT_FOUND\",\"message\":\"No route GET " + path + " on this "
                        + "port: the health and metrics endpoints are served on the observe port (OBSERVE_PORT), not on "
                        + "this one\"}}", onMain.body());
            }
            HttpResponse<String> unknown = get(client, server.port(), "/observer");
            assertEquals("{\"error\":{\"code\":\"HTTP_NOT_FOUND\",\"message\":\"No route GET /observer\"}}", unknown.body());
            assertEquals(200, get(client, server.observePort(), "/openapi").statusCode());
            assertEquals(200, get(client, server.port(), "/openapi").statusCode());
            assertEquals(Optional.of("the health and metrics endpoints are served on the observe port (OBSERVE_PORT, "
                    + "9090), not on this one"), new Observability(() -> ACTIVE, false, OptionalInt.of(9090)).elsewhere());
            assertEquals(200, get(client, server.port(), "/api/v1/mail/smtpConfig").statusCode());
        } finally {
            server.stop(Duration.ZERO);
        }
    }
}
