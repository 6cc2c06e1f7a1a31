package dev.mailservice.adapters.http;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.http.edge.TokenVerifier;
import dev.mailservice.adapters.http.observe.Observability;
import dev.mailservice.adapters.http.routes.ConfigManagerRoutes;
import dev.mailservice.adapters.http.routes.MailRoutes;
import dev.mailservice.application.port.in.GetServiceHealth.ServiceHealth;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.RawHttp;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Stopping the server lets the requests under way finish and turns new ones away. */
class StoppingTest {


    @Test
    void aRequestUnderWayFinishesWhileNewOnesAre503() throws Exception {
        CountDownLatch reloadEntered = new CountDownLatch(1);
        CountDownLatch reloadMayFinish = new CountDownLatch(1);
        TokenVerifier tokens = new TokenVerifier(SCOPED_SECRET, Tokens.USER_SECRET);
        HttpServer server = new HttpServer(0, Duration.ofSeconds(20), HttpAdapterTest.MAX_CONNECTIONS, Duration.ofSeconds(20),
                HttpAdapterTest.BUDGET, new MailRoutes(
                () -> {
                    reloadEntered.countDown();
                    await(reloadMayFinish);
                    return Optional.of(SmtpConfiguration.of("smtp.example.com", 587, null, null, "noreply@example.com", false));
                },
                () -> new SmtpStatus(Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty()),
                request -> {
                    throw new UnsupportedOperationException();
                },
                List::of, tokens, false),
                new ConfigManagerRoutes((fields, version) -> {
                    throw new UnsupportedOperationException();
                }, () -> {
                    throw new UnsupportedOperationException();
                }, (candidate, sendTestTo) -> {
                    throw new UnsupportedOperationException();
                }, tokens, false),
                Optional.empty(),
                new Observability(() -> new ServiceHealth(true, Optional.empty(), Optional.empty()), false,
                        OptionalInt.empty())).start();
        String token = Tokens.scoped(SCOPED_SECRET, "fetch:config");

        try (HttpClient client = HttpClient.newHttpClient()) {
            CompletableFuture<HttpResponse<String>> underWay = client.sendAsync(
                    request(server, "POST", "/api/v1/mail/updateSmtpConfig", token), HttpResponse.BodyHandlers.ofString());
            await(reloadEntered);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> server.stop(Duration.ZERO));
            HttpResponse<String> turnedAway;
            do {
                turnedAway = client.send(request(server, "GET", "/api/v1/mail/smtpConfig", token),
                        HttpResponse.BodyHandlers.ofString());
            } while (turnedAway.statusCode() == 200);

            assertEquals(503, turnedAway.statusCode(), turnedAway.body());
            assertEquals("{\"error\":{\"code\":\"HTTP_SERVICE_UNAVAILABLE\",\"message\":\"The service is stopping; "
                    + "try again\"}}", turnedAway.body());
            assertFalse(stopping.isDone(), "the server stopped while a request was still under way");
            try (RawHttp refused = new RawHttp(server.port())) {
                refused.send("POST /api/v1/mail/updateSmtpConfig HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + token + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
                assertEquals(503, refused.answer().status());
                // The rest of its body is not waited for (the idle timeout's 20 s): the connection closes with the answer.
                assertTrue(refused.closedWithin(Duration.ofSeconds(5)), "the stopping server waited for a refused body");
            }

            reloadMayFinish.countDown();

            HttpResponse<String> finished = underWay.get(10, TimeUnit.SECONDS);
            assertEquals(200, finished.statusCode(), finished.body());
            stopping.get(10, TimeUnit.SECONDS);
        } finally {
            reloadMayFinish.countDown();
        }
    }

    private static HttpRequest request(HttpServer server, String method, String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
    }

    /** Waits for the other side of the test; a guard against a hang, not a speed target. */
    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the other side of the test never came");
            }
        } catch (InterruptedException e) {
            throw new AssertionError("interrupted", e);
        }
    }
}
