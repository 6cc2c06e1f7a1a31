package dev.mailservice.bench;

import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.FreePorts;
import dev.mailservice.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the service as users meet it: its jar in a process of its own, real etcd, a real SMTP
 * sink, load from this separate process. Prints a table and writes the same figures as JSON.
 *
 * <p>Each phase is a class of its own; this one starts what the phases share, runs them in order and reports.
 *
 * <p>Arguments: {@code [--quick] [--rtt-ms N] <service jar> <floor jar> <PipesHub peer> <work directory> <results file>
 * [service JVM flags...]}.
 */
public final class Benchmark {

    /** The send route's JSON body in every phase that sends. */
    private static final String OTP_MAIL = """
            {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"],
             "templateData": {"name": "Bench User", "otp": "123456"}}""";

    private final BenchmarkSettings settings;
    private final Map<String, Double> figures = new LinkedHashMap<>();
    /** The {@code [min, max]} of the figures measured in rounds. */
    private final Map<String, double[]> spread = new LinkedHashMap<>();
    private final long started = System.nanoTime();

    private Benchmark(BenchmarkSettings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        // A kept-alive connection is dropped by Node after 5 s idle: the client must not reuse one
        // that old (a POST is not retried), or a round would count the server's close as a failure.
        System.setProperty("jdk.httpclient.keepalive.timeout", "3");
        List<String> arguments = new ArrayList<>(Arrays.asList(args));
        boolean quick = arguments.remove("--quick");
        Duration roundTrip = Duration.ofMillis(10);
        int rtt = arguments.indexOf("--rtt-ms");
        if (rtt >= 0) {
            roundTrip = Duration.ofMillis(Long.parseLong(arguments.remove(rtt + 1)));
            arguments.remove(rtt);
        }
        // As bench/run passes them: service-jar floor-jar pipeshub-peer work-directory results-file service-jvm-flags...
        BenchmarkSettings settings = new BenchmarkSettings(quick, Path.of(arguments.get(0)), Path.of(arguments.get(1)),
                Path.of(arguments.get(2)), arguments.subList(5, arguments.size()), Path.of(arguments.get(3)),
                Path.of(arguments.get(4)), roundTrip);
        Files.createDirectories(settings.workDirectory());
        new Benchmark(settings).run();
        System.exit(0);
    }

    private void run() throws Exception {
        String javaVersion = Runtime.version().toString();
        System.out.printf("Mail service benchmark (%s) on %d cores, JDK %s, service JVM flags %s%n%n",
                settings.quick() ? "quick" : "full", Runtime.getRuntime().availableProcessors(), javaVersion,
                settings.serviceJvmFlags());
        try (SmtpSink sink = new SmtpSink(settings.workDirectory(), FreePorts.pick());
                EtcdCluster etcd = EtcdCluster.singleMember();
                RedisServer redis = RedisServer.plain()) {
            etcd.start();
            redis.start();
            progress("file backend: HTTP, reload and send floors");
            new FileBackendRoutes(settings, sink, OTP_MAIL).measure(figures);
            for (KeyValueBackend backend : List.of(KeyValueBackend.etcd(etcd), KeyValueBackend.redis(redis))) {
                try (backend) {
                    progress(backend.name() + ": reload");
                    new KeyValueReload(settings, sink, backend).measure(figures, spread);
                    progress(backend.name() + ": convergence");
                    new Convergence(settings, sink, backend).measure(figures);
                }
            }
            progress("start-up");
            new Startup(settings, sink).measure(figures);
            progress("SMTP floors");
            new SmtpFloors(settings, sink).measure(figures);
            progress("the operator console: its first render, and what keeping the recent sends costs");
            new ConsoleCost(settings, sink, OTP_MAIL).measure(figures, spread);
        }
        progress("sends at a provider's distance, against PipesHub's");
        new ProviderDistance(settings, OTP_MAIL).measure(figures, spread);
        progress("sends at a provider's distance to a server that closes, limits and refuses as providers do");
        new ProviderFaults(settings, OTP_MAIL).measure(figures);
        progress("sends at a provider's distance logging in with OAuth 2.0, against a password");
        new OAuth2Cost(settings, OTP_MAIL).measure(figures, spread);
        progress("done");
        Results.print(figures, spread, settings, javaVersion);
        Charts.write(figures, settings.resultsFile().getParent());
    }

    /** Tells on standard error what is being measured, and since when the run started. */
    private void progress(String phase) {
        System.err.printf("[%4d s] %s%n", (System.nanoTime() - started) / 1_000_000_000, phase);
    }

    /** The SMTP configuration the service is given in a file or a backend: the sink's port, and a sender. */
    static String configuration(int smtpPort, String fromEmail) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + smtpPort + ", \"fromEmail\": \"" + fromEmail + "\"}";
    }

    /** Writes that configuration to the file {@code name} in the work directory. */
    static Path writeConfiguration(BenchmarkSettings settings, String name, int smtpPort, String fromEmail)
            throws IOException {
        Path file = settings.workDirectory().resolve(name);
        Files.writeString(file, configuration(smtpPort, fromEmail));
        return file;
    }
}
