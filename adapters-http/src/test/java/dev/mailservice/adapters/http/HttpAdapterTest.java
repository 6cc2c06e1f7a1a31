package dev.mailservice.adapters.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailservice.application.port.in.GetActiveSmtpConfiguration;
import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SendEmail;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.domain.MailRequest;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The HTTP adapter on a real Helidon server on a free port, in front of stand-in use cases whose
 * answers each test sets.
 */
abstract class HttpAdapterTest {

    /** Twenty letters and digits, as PipesHub generates its secrets. */
    static final String SCOPED_SECRET = "a1B2c3D4e5F6g7H8i9J0";
    static final String USER_SECRET = "u1S2e3R4s5E6c7R8e9T0";
    static final String PASSWORD = "Sm7p-Pa55word";
    static final SmtpConfiguration CONFIGURATION =
            SmtpConfiguration.of("smtp.example.com", 587, "ops@example.com", PASSWORD, "noreply@example.com");

    /** Short, so that tests of stalled clients take a second. */
    static final Duration IDLE_TIMEOUT = Duration.ofMillis(1000);
    /** Room for two bodies of the send route at once. */
    static final BodyMemoryBudget BUDGET = new BodyMemoryBudget(2 * MailHttpService.SEND_EMAIL_MAX_BODY_BYTES,
            Duration.ofMillis(500));

    static volatile Supplier<Optional<SmtpConfiguration>> reloadAnswer;
    static volatile SmtpStatus status;
    static volatile Consumer<MailRequest> sendAnswer;
    static volatile Function<Map<String, ?>, SmtpConfiguration> saveAnswer;
    static volatile Supplier<Optional<StoredSmtpConfiguration>> storedAnswer;
    static final List<MailRequest> sent = new CopyOnWriteArrayList<>();
    static final List<Map<String, ?>> saved = new CopyOnWriteArrayList<>();

    private static MailHttpServer server;
    private static HttpClient client;

    @BeforeAll
    static void startServer() {
        ReloadSmtpConfiguration reload = () -> reloadAnswer.get();
        GetActiveSmtpConfiguration active = () -> status;
        SendEmail sendEmail = request -> {
            sendAnswer.accept(request);
            sent.add(request);
        };
        SaveSmtpConfiguration save = fields -> {
            SmtpConfiguration answer = saveAnswer.apply(fields);
            saved.add(fields);
            return answer;
        };
        GetStoredSmtpConfiguration stored = () -> storedAnswer.get();
        TokenVerifier scopedTokens = new TokenVerifier(SCOPED_SECRET);
        server = new MailHttpServer(0, IDLE_TIMEOUT, BUDGET, new MailHttpService(reload, active, sendEmail, scopedTokens),
                new ConfigManagerHttpService(save, stored, new TokenVerifier(USER_SECRET), scopedTokens, false)).start();
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.stop();
    }

    @BeforeEach
    void resetStubs() {
        reloadAnswer = () -> Optional.of(CONFIGURATION);
        status = new SmtpStatus(Optional.empty(), Optional.empty(), List.of());
        sendAnswer = request -> {};
        saveAnswer = fields -> SmtpConfiguration.fromFields(fields);
        storedAnswer = () -> Optional.of(new StoredSmtpConfiguration(CONFIGURATION, 0));
        sent.clear();
        saved.clear();
    }

    static int port() {
        return server.port();
    }

    /**
     * Calls {@code path}, a body declared as JSON as PipesHub's callers declare it; a {@code token}
     * with a space is sent as the whole Authorization header.
     */
    static HttpResponse<String> call(String method, String path, String token, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body);
        if (body.contentLength() != 0) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", token.contains(" ") ? token : "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        return call(method, path, token, HttpRequest.BodyPublishers.ofString(body));
    }

    static void assertError(HttpResponse<String> response, int status, String code, String message) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}", response.body());
    }

    static void assertOk(HttpResponse<String> response, String body) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(body, response.body());
    }
}
