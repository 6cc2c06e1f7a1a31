package dev.mailservice.bench;

import dev.mailservice.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service on a configuration file, sending to the sink: its memory idle and after the load, the floors of its
 * status and reload routes, its sends from 1, 16 and 64 clients (and whether the sink got every one), and its sends
 * while the file is reloaded again and again.
 *
 * @param mail the send route's JSON body
 */
record FileBackendRoutes(BenchmarkSettings settings, SmtpSink sink, String mail) {

    void measure(Map<String, Double> figures) throws Exception {
        Path file = Benchmark.writeConfiguration(settings, "file-backend.json", sink.port(), "a@bench.example");
        try (BenchedService service = BenchedService.start(settings, FreePorts.pick(),
                Map.of("SMTP_CONFIG_FILE", file.toString(), "SMTP_CONFIG_WATCH", "false"), null)) {
            Thread.sleep(1_000);
            figures.put("rss_idle_mb", service.residentMegabytes());

            AtomicInteger flip = new AtomicInteger();
            Measurements.Preparation flipFile = () -> Files.writeString(file,
                    Benchmark.configuration(sink.port(), (flip.incrementAndGet() % 2) + "@bench.example"));
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

            Measurements.concurrent(16, settings.phaseSeconds() / 2, service.sending(mail));
            // The sink counts a moment after it answered: the warm-up's last mails must be in the count
            // before it, or they would make up for sends of the measured phases that never arrived.
            Thread.sleep(500);
            long sinkBefore = sink.messagesReceived();
            long sent = 0;
            for (int clients : new int[] {1, 16, 64}) {
                Measurements.Result send = Measurements.concurrent(clients, settings.phaseSeconds(),
                        service.sending(mail));
                figures.put("send_rps_c" + clients, send.perSecond());
                if (clients == 16) {
                    figures.put("send_p99_ms_c16", send.percentileMillis(99));
                }
                sent += send.calls() - send.errors();
            }
            Thread.sleep(500);
            figures.put("send_sink_missing", (double) (sent - (sink.messagesReceived() - sinkBefore)));

            Measurements.Result storm = sendDuringReloadStorm(service, file, figures);
            figures.put("send_p99_ms_c16_reload_storm", storm.percentileMillis(99));
            figures.put("send_errors_reload_storm", (double) storm.errors());
            figures.put("rss_after_load_mb", service.residentMegabytes());
        }
    }

    /** Sends from 16 clients while another flips the configuration and reloads it every 10 ms. */
    private Measurements.Result sendDuringReloadStorm(BenchedService service, Path file, Map<String, Double> figures)
            throws Exception {
        AtomicBoolean storming = new AtomicBoolean(true);
        AtomicInteger reloads = new AtomicInteger();
        ExecutorService stormer = Executors.newSingleThreadExecutor();
        try {
            Future<?> storm = stormer.submit(() -> {
                while (storming.get()) {
                    int n = reloads.incrementAndGet();
                    Files.writeString(file, Benchmark.configuration(sink.port(), "storm" + (n % 2) + "@bench.example"));
                    if (!service.reload()) {
                        throw new IllegalStateException("a reload of the storm failed");
                    }
                    Thread.sleep(10);
                }
                return null;
            });
            Measurements.Result sends = Measurements.concurrent(16, settings.phaseSeconds(), service.sending(mail));
            storming.set(false);
            storm.get(1, TimeUnit.MINUTES);
            figures.put("reloads_during_storm", (double) reloads.get());
            return sends;
        } finally {
            stormer.shutdownNow();
        }
    }
}
