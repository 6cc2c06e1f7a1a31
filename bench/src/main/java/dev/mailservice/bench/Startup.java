package dev.mailservice.bench;

import dev.mailservice.testkit.FreePorts;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** The service's start-up: from process start to the first 200 on the reload route, median of several starts. */
record Startup(BenchmarkSettings settings, SmtpSink sink) {

    void measure(Map<String, Double> figures) throws Exception {
        Path file = Benchmark.writeConfiguration(settings, "startup.json", sink.port(), "a@bench.example");
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
}
