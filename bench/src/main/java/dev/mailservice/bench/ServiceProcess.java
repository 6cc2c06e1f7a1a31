package dev.mailservice.bench;

import dev.mailservice.adapters.http.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The service jar as its own process, as a deployment runs it, with the calls the benchmark makes. */
final class ServiceProcess implements AutoCloseable {

    static final String SCOPED_SECRET = "bEnCh0scoped0secret0";
    static final String USER_SECRET = "bEnCh0user00secret00";

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String fetchConfig = "Bearer " + Tokens.scoped(SCOPED_SECRET, "fetch:config");
    private final String mailSend = "Bearer " + Tokens.scoped(SCOPED_SECRET, "mail:send");

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the jar with {@code variables} (the token secrets are added) and waits until the
     * reload route answers; {@code startupNanos} receives the time that took.
     */
    static ServiceProcess start(Settings settings, String name, int port, Map<String, String> variables,
            long[] startupNanos) throws Exception {
        Path log = settings.workDirectory().resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(settings.java().toString());
        command.addAll(settings.serviceJvmFlags());
        command.addAll(List.of("-jar", settings.serviceJar().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(settings.workDirectory().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(variables);
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("SCOPED_JWT_SECRET", SCOPED_SECRET);
        builder.environment().put("JWT_SECRET", USER_SECRET);
        long started = System.nanoTime();
        ServiceProcess service = new ServiceProcess(builder.start(), port, log);
        service.awaitFirstReload();
        if (startupNanos != null) {
            startupNanos[0] = System.nanoTime() - started;
        }
        return service;
    }

    private void awaitFirstReload() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited: " + Files.readString(log));
            }
            try {
                if (reload()) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the service did not answer a reload within 60 s: " + Files.readString(log));
    }

    long pid() {
        return process.pid();
    }

    /** Resident memory of the process in megabytes, from /proc. */
    double residentMegabytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + process.pid());
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", authorization)
                .timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
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

    boolean send(String body) throws Exception {
        return call("POST", "/api/v1/mail/emails/sendEmail", mailSend, body).statusCode() == 200;
    }

    @Override
    public void close() throws Exception {
        http.close();
        process.toHandle().destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
