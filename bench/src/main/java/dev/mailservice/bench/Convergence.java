package dev.mailservice.bench;

import dev.mailservice.testkit.FreePorts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * From a put to every replica showing it on the status route, with 1, 3 and 6 replicas watching
 * one backend (started one after the other, so that each count pays only for its own replicas).
 * The figures without a replica count are those of 3.
 */
record Convergence(BenchmarkSettings settings, SmtpSink sink, KeyValueBackend backend) {

    void measure(Map<String, Double> figures) throws Exception {
        List<BenchedService> replicas = new ArrayList<>();
        int most = settings.replicas().getLast();
        ExecutorService pollers = Executors.newFixedThreadPool(most);
        // Every replica is stopped, whichever fails to stop, and a failure of the measurement comes first.
        try (AutoCloseable stop = () -> {
            pollers.shutdownNow();
            Closing.all(replicas);
        }) {
            backend.put(Benchmark.configuration(sink.port(), "start@bench.example"));
            for (int count : settings.replicas()) {
                List<Callable<BenchedService>> more = new ArrayList<>();
                for (int i = replicas.size(); i < count; i++) {
                    more.add(() -> BenchedService.start(settings, FreePorts.pick(), backend.variables(true), null));
                }
                replicas.addAll(BenchedService.startTogether(more));
                Measurements.Result convergence = convergence(replicas, pollers, "r" + count + "put");
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

    private Measurements.Result convergence(List<BenchedService> replicas, ExecutorService pollers,
            String markerPrefix) throws Exception {
        long[] latencies = new long[settings.convergencePuts()];
        for (int i = 0; i < latencies.length; i++) {
            String marker = markerPrefix + i + "@bench.example";
            long put = System.nanoTime();
            backend.put(Benchmark.configuration(sink.port(), marker));
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
}
