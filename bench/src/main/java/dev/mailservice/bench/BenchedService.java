package dev.mailservice.bench;

import dev.mailservice.testkit.RawHttp;
import dev.mailservice.testkit.ServiceProcess;
import dev.mailservice.testkit.Tokens;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process under measurement, with the calls the benchmark makes: the service jar, or PipesHub's
 * own request paths reproduced in Node ({@code bench/node}), which answer the same routes and
 * take the same tokens, or the start-up floor's jar ({@code bench/floor}), which answers the reload
 * route alone.
 */
final class BenchedService implements AutoCloseable {

    private static final String SCOPED_SECRET = "bEnCh0scoped0secret0";
    private static final String USER_SECRET = "bEnCh0user00secret00";

    private final ServiceProcess process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String fetchConfig = "Bearer " + Tokens.scoped(SCOPED_SECRET, "fetch:config");
    private final String mailSend = "Bearer " + Tokens.scoped(SCOPED_SECRET, "mail:send");

    /** A link that opens the service's operator console signed in as an admin, for an hour. */
    String consoleLink() {
        return "http://localhost:" + port + "/console/#token=" + Tokens.user(USER_SECRET, "admin");
    }

    private BenchedService(ServiceProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the jar with {@code variables} (the token secrets and the port are added) and waits
     * until the reload route answers 200; {@code startupNanos}, when given, receives the time that took.
     */
    static BenchedService start(BenchmarkSettings settings, int port, Map<String, String> variables,
            long[] startupNanos) throws Exception {
        return start(settings, settings.serviceJar(), List.of(), port, variables, startupNanos);
    }

    /**
     * As {@link #start(BenchmarkSettings, int, Map, long[])}, of {@code jar} (the service's, or another
     * server of that route), with {@code jvmFlags} after the deployment's.
     */
    static BenchedService start(BenchmarkSettings settings, Path jar, List<String> jvmFlags, int port,
            Map<String, String> variables, long[] startupNanos) throws Exception {
        List<String> flags = new ArrayList<>(settings.serviceJvmFlags());
        flags.addAll(jvmFlags);
        long started = System.nanoTime();
        BenchedService service = new BenchedService(ServiceProcess.launchJar(settings.workDirectory(),
                withTokensAndPort(variables, port), jar, flags), port);
        try {
            service.awaitFirstReload();
        } catch (Exception notStarted) {
            service.close();
            throw notStarted;
        }
        if (startupNanos != null) {
            startupNanos[0] = System.nanoTime() - started;
        }
        return service;
    }

    /**
     * Starts PipesHub's request paths in Node ({@code bench/node/pipeshub-peer.js}) with
     * {@code variables} (the token secret and the port are added) and waits for its ready line.
     */
    static BenchedService startPipesHubPeer(BenchmarkSettings settings, int port, Map<String, String> variables)
            throws Exception {
        BenchedService peer = new BenchedService(ServiceProcess.launchCommand(settings.workDirectory(),
                withTokensAndPort(variables, port), List.of("node", settings.pipesHubPeer().toString())), port);
        try {
            peer.process.awaitLine(line -> line.startsWith("listening on"), Duration.ofSeconds(60));
        } catch (AssertionError notStarted) {
            peer.close();
            throw new IllegalStateException("the PipesHub peer did not start", notStarted);
        }
        return peer;
    }

    /**
     * Starts several processes at once (a JVM spends its first seconds on one core compiling, so
     * they start faster side by side); if one fails, those started are closed and the failure thrown.
     */
    static List<BenchedService> startTogether(List<Callable<BenchedService>> starts) throws Exception {
        List<BenchedService> started = new ArrayList<>();
        try (ExecutorService starters = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<BenchedService>> starting = new ArrayList<>();
            for (Callable<BenchedService> start : starts) {
                starting.add(starters.submit(start));
            }
            Exception failure = null;
            for (Future<BenchedService> each : starting) {
                try {
                    started.add(each.get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
            }
            if (failure != null) {
                Closing.allAfter(failure, started);
                throw failure;
            }
        }
        return started;
    }

    private static Map<String, String> withTokensAndPort(Map<String, String> variables, int port) {
        Map<String, String> environment = new HashMap<>(variables);
        environment.put("PORT", Integer.toString(port));
        environment.put("SCOPED_JWT_SECRET", SCOPED_SECRET);
        environment.put("JWT_SECRET", USER_SECRET);
        return environment;
    }

    /**
     * Waits for the first 200 on the reload route. Until the port takes connections, it is only
     * knocked on: calling the route with the HTTP client every few milliseconds took about a tenth
     * of a start's time from the machine's cores (docs/benchmark.md, "Start-up").
     */
    private void awaitFirstReload() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the process exited: " + String.join("\n", process.output()));
            }
            try {
                if (accepting() && reload()) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the process did not answer a reload within 60 s: "
                + String.join("\n", process.output()));
    }

    /** Whether the port takes a connection: a TCP handshake, closed at once, without a request. */
    private boolean accepting() {
        try (Socket knock = new Socket()) {
            knock.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    double residentMegabytes() throws IOException {
        return process.residentMegabytes();
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", authorization)
                .timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", "application/json"); // a body not declared JSON is refused with 415
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    boolean reload() throws Exception {
        return call("POST", "/api/v1/mail/updateSmtpConfig", fetchConfig, null).statusCode() == 200;
    }

    /** The status route's body. */
    String status() throws Exception {
        return call("GET", "/api/v1/mail/smtpConfig", fetchConfig, null).body();
    }

    boolean statusOk() throws Exception {
        return call("GET", "/api/v1/mail/smtpConfig", fetchConfig, null).statusCode() == 200;
    }

    /** The SMTP connections the service holds open, lent to a send or idle, as its own metrics count them. */
    int smtpConnections() throws Exception {
        HttpResponse<String> metrics = call("GET", "/observe/metrics", fetchConfig, null);
        if (metrics.statusCode() != 200) {
            throw new IllegalStateException("the service's metrics answered " + metrics.statusCode());
        }
        return gauge(metrics.body(), "mailservice_smtp_connections_busy")
                + gauge(metrics.body(), "mailservice_smtp_connections_idle");
    }

    /** The value of the one series of {@code name} in Prometheus' text format. */
    private static int gauge(String metrics, String name) {
        Matcher series = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} (\\S+)$").matcher(metrics);
        if (!series.find()) {
            throw new IllegalStateException("no " + name + " in the service's metrics");
        }
        return (int) Double.parseDouble(series.group(1));
    }

    /** Load clients that each send {@code body} again and again over a connection of their own. */
    Measurements.Client sending(String body) {
        return sendingEach(sender -> sender.send(body));
    }

    /** One send a load client makes over its own connection; true when answered 200. */
    @FunctionalInterface
    interface Send {
        boolean over(Sender sender) throws IOException;
    }

    /** Load clients that each make {@code send} again and again over a connection of their own. */
    Measurements.Client sendingEach(Send send) {
        return () -> {
            Sender sender = new Sender();
            return Measurements.owning(sender, () -> send.over(sender));
        };
    }

    /**
     * Sends over one kept-alive connection of its own, written and read as plain bytes. The JDK's
     * HTTP client cost the load tool about a millisecond and a half of CPU per call, more with
     * hundreds of connections: on two cores shared with what it measures, CPU the contenders did
     * not get. With these connections the send route's rate on loopback at 16 clients rose by a
     * tenth.
     */
    final class Sender implements AutoCloseable {

        private RawHttp connection;

        /** True when the send route answered 200. */
        boolean send(String body) throws IOException {
            byte[] json = body.getBytes(StandardCharsets.UTF_8);
            byte[] head = ("POST /api/v1/mail/emails/sendEmail HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: "
                    + mailSend + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            byte[] request = Arrays.copyOf(head, head.length + json.length);
            System.arraycopy(json, 0, request, head.length, json.length);
            if (connection == null) {
                connection = new RawHttp(port);
            }
            try {
                RawHttp.Answer answer = connection.send(request).answer();
                if ("close".equalsIgnoreCase(answer.header("Connection"))) {
                    close();
                }
                return answer.status() == 200;
            } catch (IOException broken) {
                close(); // the next send opens another
                throw broken;
            }
        }

        @Override
        public void close() throws IOException {
            if (connection != null) {
                RawHttp closing = connection;
                connection = null;
                closing.close();
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            http.close();
        } finally {
            process.close();
        }
    }
}
