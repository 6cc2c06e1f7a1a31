package dev.mailservice.adapters.http;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailservice.adapters.http.edge.BodyMemoryBudget;
import dev.mailservice.adapters.http.edge.TokenVerifier;
import dev.mailservice.adapters.http.observe.Observability;
import dev.mailservice.adapters.http.routes.ConsoleRoutes;
import dev.mailservice.adapters.http.routes.ConfigManagerRoutes;
import dev.mailservice.adapters.http.routes.MailRoutes;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.GetRecentSends;
import dev.mailservice.application.port.in.GetServiceHealth.ServiceHealth;
import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.in.StoredVersions;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.InvalidInputException;
import dev.mailservice.domain.MailRequest;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.domain.VersionKey;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;

/**
 * The HTTP adapter on a real Helidon server started by Helidon's own test support, configured the
 * way the service configures it ({@link HttpServer#configure}), in front of stand-in use cases
 * whose answers each test sets.
 */
@ServerTest
public abstract class HttpAdapterTest {

    /** Twenty letters and digits, as PipesHub generates its secrets. */
    public static final String PASSWORD = "Sm7p-Pa55word";
    /** What the stored versions are computed with. */
    public static final VersionKey VERSION_KEY = VersionKey.derivedFrom("a-secret-the-replicas-share");
    public static final SmtpConfiguration CONFIGURATION =
            SmtpConfiguration.of("smtp.example.com", 587, "ops@example.com", PASSWORD, "noreply@example.com", false);

    /**
     * The service's default: the client's kept-alive connection must outlive a test's pause (making
     * an RSA key takes a second), or the server closes it just as the client sends on it.
     */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(20);
    /** The connections a test server takes at once: what the service takes at its documented heap. */
    public static final int MAX_CONNECTIONS = HttpServer.connectionsForHeap(96L * 1024 * 1024);
    /** Room for two bodies of the send route at once. */
    public static final BodyMemoryBudget BUDGET = new BodyMemoryBudget(2 * MailRoutes.SEND_EMAIL_MAX_BODY_BYTES,
            Duration.ofMillis(500));

    /** For a call without a body. */
    public static final byte[] NO_BODY = null;

    /** The use cases behind the routes, shared by the tests of a class as its server is. */
    public static final UseCases useCases = new UseCases();

    private final Http1Client client;
    private final int port;

    public HttpAdapterTest(WebServer server, Http1Client client) {
        this.client = client;
        this.port = server.port();
    }

    @SetUpServer
    public static void server(WebServerConfig.Builder server) {
        HttpServer.configure(server, IDLE_TIMEOUT, MAX_CONNECTIONS, BUDGET, useCases.mailRoutes(), useCases.configManagerRoutes(), Optional.of(new ConsoleRoutes()),
                useCases.observability());
    }

    @BeforeEach
    public void resetUseCases() {
        useCases.reset();
    }

    /** Stand-ins for the use cases: what each answers, and what they were given. */
    public static final class UseCases {

        public volatile Supplier<Optional<SmtpConfiguration>> reloadAnswer;
        public volatile SmtpStatus status;
        public volatile Consumer<MailRequest> sendAnswer;
        public volatile Function<SmtpConfigurationChange, SmtpConfiguration> saveAnswer;
        public volatile Supplier<Optional<StoredSmtpConfiguration>> storedAnswer;
        public volatile Supplier<SmtpVerification> verifyAnswer;
        /** What each verification was given: the change, and where to send the test mail. */
        public final List<Map.Entry<SmtpConfigurationChange, Optional<EmailAddress>>> verified = new CopyOnWriteArrayList<>();
        public final List<MailRequest> sent = new CopyOnWriteArrayList<>();
        public final List<SmtpConfigurationChange> saved = new CopyOnWriteArrayList<>();
        /** The versions each save was asked to write over, when the client said. */
        public final List<Optional<StoredVersions>> savedOver = new CopyOnWriteArrayList<>();
        public volatile ServiceHealth health;
        public volatile List<GetRecentSends.RecentSend> recentSends = List.of();
        /** The endpoints for operators, in front of {@link #health}; readiness requires no configuration. */
        private final Observability observability = new Observability(() -> health, false, OptionalInt.empty());

        /** The mail routes in front of these use cases. */
        public MailRoutes mailRoutes() {
            return new MailRoutes(() -> reloadAnswer.get(), () -> status, this::send, () -> recentSends,
                    new TokenVerifier(SCOPED_SECRET, USER_SECRET), false);
        }

        /** The configuration-manager routes in front of these use cases. */
        public ConfigManagerRoutes configManagerRoutes() {
            return new ConfigManagerRoutes(this::save, this::stored, this::verify,
                    new TokenVerifier(SCOPED_SECRET, USER_SECRET), false);
        }

        public Observability observability() {
            return observability;
        }

        public void reset() {
            health = new ServiceHealth(false, Optional.empty(), Optional.empty());
            reloadAnswer = () -> Optional.of(CONFIGURATION);
            status = new SmtpStatus(Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());
            sendAnswer = request -> {};
            saveAnswer = UseCases::given;
            storedAnswer = () -> Optional.of(new StoredSmtpConfiguration(CONFIGURATION, 0, OpaqueFields.NONE));
            verifyAnswer = () -> new SmtpVerification(true, List.of(
                    new SmtpStep.Result(SmtpStep.DNS, true, Duration.ofMillis(2), "127.0.0.1")), List.of());
            recentSends = List.of();
            sent.clear();
            saved.clear();
            savedOver.clear();
            verified.clear();
        }

        public SmtpVerification verify(SmtpConfigurationChange change, Optional<EmailAddress> sendTestTo) {
            verified.add(Map.entry(change, sendTestTo));
            return verifyAnswer.get();
        }

        public void send(MailRequest request) {
            sendAnswer.accept(request);
            sent.add(request);
        }

        public SmtpConfiguration save(SmtpConfigurationChange change, Optional<StoredVersions> storedVersions) {
            SmtpConfiguration answer = saveAnswer.apply(change);
            saved.add(change);
            savedOver.add(storedVersions);
            return answer;
        }

        /** {@link #storedAnswer} with its version under {@link #VERSION_KEY}. */
        public GetStoredSmtpConfiguration.Read stored() {
            Optional<StoredSmtpConfiguration> stored = storedAnswer.get();
            return new GetStoredSmtpConfiguration.Read(stored, StoredSmtpConfiguration.versionOf(stored, VERSION_KEY));
        }

        /** The configuration a change gives in full; refused as the use case refuses it. */
        public static SmtpConfiguration given(SmtpConfigurationChange change) {
            try {
                return SmtpConfiguration.of(value(change.host()), change.port(), value(change.username()),
                        value(change.password()), value(change.fromEmail()), false);
            } catch (InvalidInputException refusal) {
                throw InvalidInput.of(refusal);
            }
        }

        private static String value(Field field) {
            return field instanceof Field.Given given ? given.value().orElse(null) : null;
        }
    }

    /** An answer as the tests look at it. */
    public record Answer(int statusCode, HttpHeaders headers, String body) {}

    protected int port() {
        return port;
    }

    /**
     * Calls {@code path} with Helidon's client, a body declared as JSON as PipesHub's callers declare
     * it; a {@code token} with a space is sent as the whole Authorization header.
     */
    public Answer call(String method, String path, String token, byte[] body) {
        return call(method, path, token, body, Map.of());
    }

    /** As {@link #call(String, String, String, byte[])}, with {@code headers} besides. */
    public Answer call(String method, String path, String token, byte[] body, Map<String, String> headers) {
        if (method.equals("HEAD")) {
            return head(path, token, headers);
        }
        Http1ClientRequest request = client.method(Method.create(method)).path(path);
        headers.forEach((name, value) -> request.header(io.helidon.http.HeaderNames.create(name), value));
        if (token != null) {
            request.header(io.helidon.http.HeaderNames.AUTHORIZATION, token.contains(" ") ? token : "Bearer " + token);
        }
        if (body != null && body.length > 0) {
            request.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        }
        try (HttpClientResponse response = body == null ? request.request() : request.submit(body)) {
            return answer(response);
        }
    }

    public Answer call(String method, String path, String token, String body) {
        return call(method, path, token, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Calls {@code path} with a body declared as {@code contentType}. */
    public Answer callDeclaring(String contentType, String method, String path, String token, String body) {
        Http1ClientRequest request = client.method(Method.create(method)).path(path)
                .header(io.helidon.http.HeaderNames.AUTHORIZATION, "Bearer " + token)
                .header(io.helidon.http.HeaderNames.CONTENT_TYPE, contentType);
        try (HttpClientResponse response = request.submit(body.getBytes(StandardCharsets.UTF_8))) {
            return answer(response);
        }
    }

    /** Calls {@code path} sending {@code body} chunked, as a client that does not say its length. */
    public Answer callStreaming(String method, String path, String token, Consumer<java.io.OutputStream> body) {
        Http1ClientRequest request = client.method(Method.create(method)).path(path)
                .header(io.helidon.http.HeaderNames.AUTHORIZATION, "Bearer " + token)
                .header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        try (HttpClientResponse response = request.outputStream(out -> {
            body.accept(out);
            out.close();
        })) {
            return answer(response);
        }
    }

    /**
     * HEAD, with the JDK's client: Helidon's (4.5.0) waits for the body that a HEAD answer's
     * Content-Length announces, which never comes.
     */
    private Answer head(String path, String token, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .version(HttpClient.Version.HTTP_1_1).method("HEAD", HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        if (token != null) {
            request.header("Authorization", token.contains(" ") ? token : "Bearer " + token);
        }
        try (HttpClient jdk = HttpClient.newHttpClient()) {
            HttpResponse<String> response = jdk.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Answer answer(HttpClientResponse response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.headers().forEach(header -> headers.put(header.name(), header.allValues()));
        return new Answer(response.status().code(), HttpHeaders.of(headers, (name, value) -> true),
                response.as(String.class));
    }

    public static void assertError(Answer response, int status, String code, String message) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}", response.body());
    }

    public static void assertOk(Answer response, String body) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(body, response.body());
    }
}
