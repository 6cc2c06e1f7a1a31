package dev.mailservice.bench;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.RedisStore;
import dev.mailservice.adapters.mail.MustacheMailRenderer;
import dev.mailservice.application.port.out.MailRenderer.RenderedMail;
import dev.mailservice.domain.MailRequest;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import dev.mailservice.testkit.FreePorts;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.Jedis;

/**
 * Measures the service as users meet it: its jar in a process of its own, real etcd, a real SMTP
 * sink, load from this separate process. Prints a table and writes the same figures as JSON.
 *
 * <p>Arguments: {@code [--quick] <java> <service jar> <work directory> <results file> [service JVM flags...]}.
 */
public final class Benchmark {

    private static final String OTP_MAIL = """
            {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"],
             "templateData": {"name": "Bench User", "otp": "123456"}}""";
    private static final String SECRET_KEY = "benchmark-secret-key";

    private final BenchmarkSettings settings;
    private final Map<String, Double> figures = new LinkedHashMap<>();
    /** The {@code [min, max]} of the figures measured in rounds. */
    private final Map<String, double[]> spread = new LinkedHashMap<>();
    private final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);
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
        // As bench/run passes them: service-jar pipeshub-peer work-directory results-file service-jvm-flags...
        BenchmarkSettings settings = new BenchmarkSettings(quick, Path.of(arguments.get(0)), Path.of(arguments.get(1)),
                arguments.subList(4, arguments.size()), Path.of(arguments.get(2)), Path.of(arguments.get(3)), roundTrip);
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
            measureFileBackend(sink);
            for (KeyValueBackend backend : List.of(etcdBackend(etcd), redisBackend(redis))) {
                try (backend) {
                    progress(backend.name() + ": reload");
                    measureKeyValueBackend(sink, backend);
                    progress(backend.name() + ": convergence");
                    measureConvergence(sink, backend);
                }
            }
            progress("start-up");
            measureStartup(sink);
            progress("SMTP floors");
            measureSmtpFloors(sink);
        }
        progress("sends at a provider's distance, against PipesHub's");
        new ProviderDistance(settings, OTP_MAIL).measure(figures, spread);
        progress("sends at a provider's distance to a server that closes, limits and refuses as providers do");
        new ProviderFaults(settings, OTP_MAIL).measure(figures);
        progress("done");
        Results.print(figures, spread, settings, javaVersion);
        Charts.write(figures, settings.resultsFile().getParent());
    }

    /** Tells on standard error what is being measured, and since when the run started. */
    private void progress(String phase) {
        System.err.printf("[%4d s] %s%n", (System.nanoTime() - started) / 1_000_000_000, phase);
    }

    // ---------------------------------------------------------------- file backend: HTTP, reload, send

    private Path writeConfiguration(String name, int smtpPort, String fromEmail) throws IOException {
        Path file = settings.workDirectory().resolve(name);
        Files.writeString(file, configuration(smtpPort, fromEmail));
        return file;
    }

    private static String configuration(int smtpPort, String fromEmail) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + smtpPort + ", \"fromEmail\": \"" + fromEmail + "\"}";
    }

    private void measureFileBackend(SmtpSink sink) throws Exception {
        Path file = writeConfiguration("file-backend.json", sink.port(), "a@bench.example");
        try (BenchedService service = BenchedService.start(settings, FreePorts.pick(),
                Map.of("SMTP_CONFIG_FILE", file.toString(), "SMTP_CONFIG_WATCH", "false"), null)) {
            Thread.sleep(1_000);
            figures.put("rss_idle_mb", service.residentMegabytes());

            AtomicInteger flip = new AtomicInteger();
            Measurements.Preparation flipFile = () ->
                    Files.writeString(file, configuration(sink.port(), (flip.incrementAndGet() % 2) + "@bench.example"));
            // Warm every path first, so that no figure pays for the JIT compiling another's code.
            Measurements.sequential(settings.warmUpCalls(), service::statusOk);
            Measurements.sequential(settings.warmUpCalls(), flipFile, service::reload);
            Measurements.sequential(settings.warmUpCalls(), service::reload);

            Measurements.Result noop = Measurements.sequential(settings.sequentialCalls(), service::statusOk);
            figures.put("noop_p50_ms", noop.percentileMillis(50));
            figures.put("noop_p99_ms", noop.percentileMillis(99));
            // Each reload applies a configuration other than the active one: a real swap every time.
            Measurements.Result reload = Measurements.sequential(settings.sequentialCalls(), flipFile, service::reload);
            figures.put("reload_file_p50_ms", reload.percentileMillis(50));
            figures.put("reload_file_p99_ms", reload.percentileMillis(99));
            figures.put("reload_file_unchanged_p50_ms",
                    Measurements.sequential(settings.sequentialCalls(), service::reload).percentileMillis(50));
            figures.put("reload_rps_c16", Measurements.concurrent(16, settings.phaseSeconds(), service::reload).perSecond());

            Measurements.concurrent(16, settings.phaseSeconds() / 2, service.sending(OTP_MAIL));
            // The sink counts a moment after it answered: the warm-up's last mails must be in the count
            // before it, or they would make up for sends of the measured phases that never arrived.
            Thread.sleep(500);
            long sinkBefore = sink.messagesReceived();
            long sent = 0;
            for (int clients : new int[] {1, 16, 64}) {
                Measurements.Result send = Measurements.concurrent(clients, settings.phaseSeconds(),
                        service.sending(OTP_MAIL));
                figures.put("send_rps_c" + clients, send.perSecond());
                if (clients == 16) {
                    figures.put("send_p99_ms_c16", send.percentileMillis(99));
                }
                sent += send.calls() - send.errors();
            }
            Thread.sleep(500);
            figures.put("send_sink_missing", (double) (sent - (sink.messagesReceived() - sinkBefore)));

            Measurements.Result storm = sendDuringReloadStorm(service, file, sink);
            figures.put("send_p99_ms_c16_reload_storm", storm.percentileMillis(99));
            figures.put("send_errors_reload_storm", (double) storm.errors());
            figures.put("rss_after_load_mb", service.residentMegabytes());
        }
    }

    /** Sends from 16 clients while another flips the configuration and reloads it every 10 ms. */
    private Measurements.Result sendDuringReloadStorm(BenchedService service, Path file, SmtpSink sink) throws Exception {
        AtomicBoolean storming = new AtomicBoolean(true);
        AtomicInteger reloads = new AtomicInteger();
        ExecutorService stormer = Executors.newSingleThreadExecutor();
        try {
            Future<?> storm = stormer.submit(() -> {
                while (storming.get()) {
                    int n = reloads.incrementAndGet();
                    Files.writeString(file, configuration(sink.port(), "storm" + (n % 2) + "@bench.example"));
                    if (!service.reload()) {
                        throw new IllegalStateException("a reload of the storm failed");
                    }
                    Thread.sleep(10);
                }
                return null;
            });
            Measurements.Result sends = Measurements.concurrent(16, settings.phaseSeconds(), service.sending(OTP_MAIL));
            storming.set(false);
            storm.get(1, TimeUnit.MINUTES);
            figures.put("reloads_during_storm", (double) reloads.get());
            return sends;
        } finally {
            stormer.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- key-value backends: etcd, Redis

    /** A key-value backend as the benchmark drives it: written as PipesHub writes, read raw for the floor. */
    private interface KeyValueBackend extends AutoCloseable {

        /** {@code etcd} or {@code redis}: the prefix of the figures' names. */
        String name();

        /** The service's variables for this backend. */
        Map<String, String> variables(boolean watch);

        /** Stores {@code json} as PipesHub does (on Redis: SET, then PUBLISH the path). */
        void put(String json) throws Exception;

        /** Reads the key from this process with the backend's own client: the floor of a reload. */
        boolean rawGet() throws Exception;

        /** The variables of PipesHub's own reload on this backend, in Node; null where the benchmark has none. */
        default Map<String, String> pipesHubPeerVariables() {
            return null;
        }
    }

    private KeyValueBackend etcdBackend(EtcdCluster etcd) {
        EtcdTestClient writer = new EtcdTestClient(etcd.endpoints());
        Client reader = Client.builder().endpoints(etcd.endpoints().toArray(String[]::new)).build();
        ByteSequence key = ByteSequence.from(KeyValueConfigRepository.PATH, StandardCharsets.UTF_8);
        return new KeyValueBackend() {
            public String name() {
                return "etcd";
            }

            public Map<String, String> variables(boolean watch) {
                return Map.of("SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                        "ETCD_ENDPOINTS", etcd.endpointList(), "SMTP_CONFIG_WATCH", Boolean.toString(watch));
            }

            public void put(String json) throws Exception {
                writer.put(KeyValueConfigRepository.PATH, cipher.encrypt(json));
            }

            public Map<String, String> pipesHubPeerVariables() {
                // SEED_ETCD: the peer first stores the other keys PipesHub's loadAppConfig reads.
                // Its send route is not measured here, but it will not start without an SMTP server.
                return Map.of("ETCD_ENDPOINTS", etcd.endpointList(), "SECRET_KEY", SECRET_KEY, "SEED_ETCD", "true",
                        "SMTP_HOST", "127.0.0.1", "SMTP_FROM", "a@bench.example");
            }

            public boolean rawGet() throws Exception {
                return !reader.getKVClient().get(key).get(10, TimeUnit.SECONDS).getKvs().isEmpty();
            }

            public void close() {
                try {
                    reader.close();
                } finally {
                    writer.close();
                }
            }
        };
    }

    private KeyValueBackend redisBackend(RedisServer redis) {
        RedisTestClient writer = redis.client();
        Jedis reader = new Jedis(redis.host(), redis.port());
        String key = RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH;
        return new KeyValueBackend() {
            public String name() {
                return "redis";
            }

            public Map<String, String> variables(boolean watch) {
                return Map.of("KV_STORE_TYPE", "redis", "SECRET_KEY", SECRET_KEY, "REDIS_HOST", redis.host(),
                        "REDIS_PORT", Integer.toString(redis.port()), "SMTP_CONFIG_WATCH", Boolean.toString(watch));
            }

            public void put(String json) {
                writer.set(key, cipher.encrypt(json));
                writer.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);
            }

            public boolean rawGet() {
                return reader.get(key) != null;
            }

            public void close() {
                try {
                    reader.close();
                } finally {
                    writer.close();
                }
            }
        };
    }

    /** The raw read of the key (the floor), and the reload route on the backend, a new value each time and not. */
    private void measureKeyValueBackend(SmtpSink sink, KeyValueBackend backend) throws Exception {
        String name = backend.name();
        backend.put(configuration(sink.port(), "a@bench.example"));
        AtomicInteger flip = new AtomicInteger();
        Measurements.Preparation flipValue = () ->
                backend.put(configuration(sink.port(), (flip.incrementAndGet() % 2) + "@bench.example"));
        // The floor reads what the reload reads, as it reads it: a value put a moment before.
        Measurements.sequential(settings.warmUpCalls(), flipValue, backend::rawGet);
        figures.put(name + "_get_p50_ms",
                Measurements.sequential(settings.sequentialCalls(), flipValue, backend::rawGet).percentileMillis(50));
        figures.put(name + "_get_unchanged_p50_ms",
                Measurements.sequential(settings.sequentialCalls(), backend::rawGet).percentileMillis(50));

        Map<String, String> peerVariables = backend.pipesHubPeerVariables();
        try (BenchedService service = BenchedService.start(settings, FreePorts.pick(), backend.variables(false), null);
                BenchedService pipesHub = peerVariables == null ? null
                        : BenchedService.startPipesHubPeer(settings, FreePorts.pick(), peerVariables)) {
            Measurements.sequential(settings.warmUpCalls(), flipValue, service::reload);
            Measurements.sequential(settings.warmUpCalls(), service::reload);
            if (pipesHub != null) {
                Measurements.sequential(settings.peerReloadCalls(), flipValue, pipesHub::reload);
            }
            Rounds rounds = new Rounds();
            for (int round = 0; round < settings.rounds(); round++) {
                Measurements.Result reload = Measurements.sequential(settings.roundCalls(), flipValue, service::reload);
                rounds.add("reload_" + name + "_p50_ms", reload.percentileMillis(50));
                rounds.add("reload_" + name + "_p99_ms", reload.percentileMillis(99));
                if (pipesHub != null) {
                    Measurements.Result peer = Measurements.sequential(settings.peerReloadCalls(), flipValue,
                            pipesHub::reload);
                    rounds.add("pipeshub_reload_" + name + "_p50_ms", peer.percentileMillis(50));
                    rounds.add("pipeshub_reload_" + name + "_p99_ms", peer.percentileMillis(99));
                }
            }
            rounds.publish(figures, spread);
            figures.put("reload_" + name + "_unchanged_p50_ms",
                    Measurements.sequential(settings.sequentialCalls(), service::reload).percentileMillis(50));
        }
        if (peerVariables != null) {
            figures.put("reload_vs_pipeshub_" + name,
                    figures.get("pipeshub_reload_" + name + "_p50_ms") / figures.get("reload_" + name + "_p50_ms"));
        }
    }

    /**
     * From a put to every replica showing it on the status route, with 1, 3 and 6 replicas watching
     * one backend (started one after the other, so that each count pays only for its own replicas).
     * The figures without a replica count are those of 3.
     */
    private void measureConvergence(SmtpSink sink, KeyValueBackend backend) throws Exception {
        List<BenchedService> replicas = new ArrayList<>();
        int most = settings.replicas().getLast();
        ExecutorService pollers = Executors.newFixedThreadPool(most);
        // Every replica is stopped, whichever fails to stop, and a failure of the measurement comes first.
        try (AutoCloseable stop = () -> {
            pollers.shutdownNow();
            Closing.all(replicas);
        }) {
            backend.put(configuration(sink.port(), "start@bench.example"));
            for (int count : settings.replicas()) {
                List<Callable<BenchedService>> more = new ArrayList<>();
                for (int i = replicas.size(); i < count; i++) {
                    more.add(() -> BenchedService.start(settings, FreePorts.pick(), backend.variables(true), null));
                }
                replicas.addAll(BenchedService.startTogether(more));
                Measurements.Result convergence = convergence(sink, backend, replicas, pollers, "r" + count + "put");
                String prefix = backend.name() + "_convergence_";
                figures.put(prefix + "p50_ms_r" + count, convergence.percentileMillis(50));
                figures.put(prefix + "p99_ms_r" + count, convergence.percentileMillis(99));
                if (count == 3) {
                    figures.put(prefix + "p50_ms", convergence.percentileMillis(50));
                    figures.put(prefix + "p99_ms", convergence.percentileMillis(99));
                }
            }
        }
    }

    private Measurements.Result convergence(SmtpSink sink, KeyValueBackend backend, List<BenchedService> replicas,
            ExecutorService pollers, String markerPrefix) throws Exception {
        long[] latencies = new long[settings.convergencePuts()];
        for (int i = 0; i < latencies.length; i++) {
            String marker = markerPrefix + i + "@bench.example";
            long put = System.nanoTime();
            backend.put(configuration(sink.port(), marker));
            List<Future<Long>> seen = new ArrayList<>();
            for (BenchedService replica : replicas) {
                seen.add(pollers.submit(() -> {
                    while (!replica.status().contains(marker)) {
                        Thread.sleep(1);
                    }
                    return System.nanoTime();
                }));
            }
            long last = 0;
            for (Future<Long> each : seen) {
                last = Math.max(last, each.get(30, TimeUnit.SECONDS));
            }
            latencies[i] = last - put;
            Thread.sleep(20);
        }
        Arrays.sort(latencies);
        // The puts are paced, one after the other: their rate means nothing.
        return new Measurements.Result(latencies.length, 0, Double.NaN, latencies);
    }

    /** From process start to the first 200 on the reload route, median of several starts. */
    private void measureStartup(SmtpSink sink) throws Exception {
        Path file = writeConfiguration("startup.json", sink.port(), "a@bench.example");
        long[] startups = new long[settings.startups()];
        for (int i = 0; i < startups.length; i++) {
            long[] took = new long[1];
            try (BenchedService ignored = BenchedService.start(settings, FreePorts.pick(),
                    Map.of("SMTP_CONFIG_FILE", file.toString()), took)) {
                startups[i] = took[0];
            }
        }
        Arrays.sort(startups);
        figures.put("startup_ms", startups[startups.length / 2] / 1e6);
    }

    // ---------------------------------------------------------------- SMTP floors, from this process

    private void measureSmtpFloors(SmtpSink sink) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.host", "127.0.0.1");
        properties.setProperty("mail.smtp.port", Integer.toString(sink.port()));
        Session session = Session.getInstance(properties);
        MimeMessage message = renderedMessage(session);

        try (Transport kept = session.getTransport("smtp")) {
            kept.connect();
            Measurements.Operation overOneConnection = () -> {
                kept.sendMessage(message, message.getAllRecipients());
                return true;
            };
            Measurements.concurrent(1, settings.phaseSeconds() / 2, overOneConnection);
            figures.put("smtp_raw_persistent_rps",
                    Measurements.concurrent(1, settings.phaseSeconds(), overOneConnection).perSecond());
        }
        Measurements.Operation connectAndQuit = () -> {
            try (Transport connection = session.getTransport("smtp")) {
                connection.connect();
            }
            return true;
        };
        Measurements.sequential(settings.warmUpCalls(), connectAndQuit);
        figures.put("smtp_connection_setup_ms",
                Measurements.sequential(settings.sequentialCalls(), connectAndQuit).percentileMillis(50));
        Measurements.Operation connectSendQuit = () -> {
            Transport.send(message);
            return true;
        };
        Measurements.concurrent(16, settings.phaseSeconds() / 2, connectSendQuit);
        figures.put("smtp_per_message_connection_rps_c16",
                Measurements.concurrent(16, settings.phaseSeconds(), connectSendQuit).perSecond());
    }

    /** The OTP mail the send route renders, as the service would compose it. */
    private static MimeMessage renderedMessage(Session session) throws Exception {
        RenderedMail rendered = new MustacheMailRenderer(MustacheMailRenderer.DEFAULT_BRAND).render(MailRequest.of(
                "loginWithOTP", List.of("user@example.com"), List.of(), null, Map.of("name", "Bench User", "otp", "123456"),
                List.of()));
        MimeBodyPart text = new MimeBodyPart();
        text.setText(rendered.text(), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(rendered.html(), "UTF-8", "html");
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("a@bench.example"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("user@example.com"));
        message.setSubject(rendered.defaultSubject(), "UTF-8");
        message.setContent(new MimeMultipart("alternative", text, html));
        message.saveChanges();
        return message;
    }
}
