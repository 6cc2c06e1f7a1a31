package dev.mailservice.bootstrap;

import dev.mailservice.testkit.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Calls a running service's routes with valid tokens, and keeps every answer body. */
public final class ServiceClient implements AutoCloseable {

    private final int port;
    private final String scopedSecret;
    private final String userSecret;
    private final HttpClient client = HttpClient.newHttpClient();
    private record Answer(String path, String body) {}

    /** The route whose whole purpose is to give services the configuration in full, password included. */
    private static final String FULL_CONFIGURATION = "/api/v1/configurationManager/internal/smtpConfig";

    private final List<Answer> answers = new CopyOnWriteArrayList<>();

    /** A client of the scoped routes only. */
    public ServiceClient(int port, String scopedSecret) {
        this(port, scopedSecret, null);
    }

    public ServiceClient(int port, String scopedSecret, String userSecret) {
        this.port = port;
        this.scopedSecret = scopedSecret;
        this.userSecret = userSecret;
    }

    /** Calls {@code path} with {@code body} (null for none) and {@code token} as the bearer token. */
    public HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        return send(path, request(path)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json"));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    /** Sends {@code request} for {@code path} and keeps the answer's body. */
    private HttpResponse<String> send(String path, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        answers.add(new Answer(path, response.body()));
        return response;
    }

    /** Calls a route that wants a scoped token with {@code fetch:config}. */
    public HttpResponse<String> call(String method, String path) throws Exception {
        return call(method, path, Tokens.scoped(scopedSecret, "fetch:config"), null);
    }

    /** The meters in Prometheus' text format, as {@code /observe/metrics} serves them. */
    public String metrics() throws Exception {
        HttpResponse<String> served = call("GET", "/observe/metrics", "none", null);
        if (served.statusCode() != 200) {
            throw new AssertionError("the metrics answered " + served.statusCode() + ": " + served.body());
        }
        return served.body();
    }

    /** The metrics endpoint's answer for {@code accept}, the media type asked for. */
    public HttpResponse<String> metrics(String accept) throws Exception {
        return send("/observe/metrics", request("/observe/metrics").GET().header("Accept", accept));
    }

    /** The value of the one series of {@code meter} in {@code metrics} whose labels include each of {@code labels}; 0 when there is none. */
    public static double metric(String metrics, String meter, String... labels) {
        Matcher series = Pattern.compile("(?m)^" + Pattern.quote(meter) + "(?:\\{([^}]*)})? (\\S+)$").matcher(metrics);
        while (series.find()) {
            String found = series.group(1) == null ? "" : series.group(1);
            boolean matches = true;
            for (String label : labels) {
                matches &= found.contains(label);
            }
            if (matches) {
                return Double.parseDouble(series.group(2));
            }
        }
        return 0;
    }

    public HttpResponse<String> reload() throws Exception {
        return call("POST", "/api/v1/mail/updateSmtpConfig");
    }

    /** Stores a configuration as an admin would. */
    public HttpResponse<String> storeConfiguration(String json) throws Exception {
        return call("POST", "/api/v1/configurationManager/smtpConfig", Tokens.user(userSecret, "admin"), json);
    }

    /** Verifies a candidate configuration as an admin would. */
    public HttpResponse<String> verifyConfiguration(String json) throws Exception {
        return call("POST", "/api/v1/configurationManager/smtpConfig/verify", Tokens.user(userSecret, "admin"), json);
    }

    /** Sends a mail as a service with {@code mail:send} would. */
    public HttpResponse<String> sendEmail(String json) throws Exception {
        return call("POST", "/api/v1/mail/emails/sendEmail", Tokens.scoped(scopedSecret, "mail:send"), json);
    }

    /** The status route's body; fails unless it answers 200. */
    public String status() throws Exception {
        HttpResponse<String> response = call("GET", "/api/v1/mail/smtpConfig");
        if (response.statusCode() != 200) {
            throw new AssertionError("the status route answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /**
     * Polls the status route until {@code condition} holds, for at most {@code limit}; returns the
     * last body, or fails with it.
     */
    public String statusWithin(Duration limit, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String status = status();
        while (!condition.test(status)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toMillis() + " ms; the status route says " + status);
            }
            TimeUnit.MILLISECONDS.sleep(20);
            status = status();
        }
        return status;
    }

    /** Fails if any answer so far showed {@code secret}, but for the full view meant for services. */
    public void assertNoAnswerShows(String secret) {
        for (Answer answer : answers) {
            if (!answer.path().equals(FULL_CONFIGURATION) && answer.body().contains(secret)) {
                throw new AssertionError(answer.path() + " answered a secret: " + answer.body());
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
