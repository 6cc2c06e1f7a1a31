package dev.mailservice.bench;

import dev.mailservice.testkit.FreePorts;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reload route on a key-value backend, set against the floor of reading the key from this process and, where
 * the benchmark has it, against PipesHub's own reload on the same backend, in rounds that alternate between them.
 */
record KeyValueReload(BenchmarkSettings settings, SmtpSink sink, KeyValueBackend backend) {

    /** The raw read of the key (the floor), and the reload route on the backend, a new value each time and not. */
    void measure(Map<String, Double> figures, Map<String, double[]> spread) throws Exception {
        String name = backend.name();
        backend.put(Benchmark.configuration(sink.port(), "a@bench.example"));
        AtomicInteger flip = new AtomicInteger();
        Measurements.Preparation flipValue = () ->
                backend.put(Benchmark.configuration(sink.port(), (flip.incrementAndGet() % 2) + "@bench.example"));
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
}
