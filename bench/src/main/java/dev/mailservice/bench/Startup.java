package dev.mailservice.bench;

import dev.mailservice.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service's start-up, from process start to the first 200 on the reload route: the median of
 * several starts of the plain jar, and of the jar with its start-up cache, made as the start
 * scripts make it ({@code service_startup_cache_flags} in {@code bin/java-env}: one run records,
 * then the cache is made from the record); and the classes a plain start loads.
 */
record Startup(BenchmarkSettings settings, SmtpSink sink) {

    /** The AOT cache (JEP 483) from this feature release on; a dynamic class-data archive before. */
    private static final int AOT_CACHE_FEATURE = 25;

    void measure(Map<String, Double> figures) throws Exception {
        Path file = Benchmark.writeConfiguration(settings, "startup.json", sink.port(), "a@bench.example");
        Map<String, String> variables = Map.of("SMTP_CONFIG_FILE", file.toString());
        figures.put("startup_ms", medianMillis(List.of(), variables));
        figures.put("startup_classes", (double) classesLoaded(variables));
        figures.put("startup_cached_ms", medianMillis(cacheFlags(variables), variables));
    }

    private double medianMillis(List<String> jvmFlags, Map<String, String> variables) throws Exception {
        long[] startups = new long[settings.startups()];
        for (int i = 0; i < startups.length; i++) {
            startups[i] = startOnce(jvmFlags, variables);
        }
        Arrays.sort(startups);
        return startups[startups.length / 2] / 1e6;
    }

    private long startOnce(List<String> jvmFlags, Map<String, String> variables) throws Exception {
        long[] took = new long[1];
        try (BenchedService ignored = BenchedService.start(settings, jvmFlags, FreePorts.pick(), variables, took)) {
            return took[0];
        }
    }

    private long classesLoaded(Map<String, String> variables) throws Exception {
        Path log = settings.workDirectory().resolve("startup-classes.log");
        startOnce(List.of("-Xlog:class+load=info:file=" + log), variables);
        try (var lines = Files.lines(log)) {
            return lines.count();
        }
    }

    /** Makes the cache with one recorded start, and answers the flags that start with it. */
    private List<String> cacheFlags(Map<String, String> variables) throws Exception {
        Path cache = settings.workDirectory().resolve("startup-cache");
        if (Runtime.version().feature() < AOT_CACHE_FEATURE) {
            List<String> flags = List.of("-XX:SharedArchiveFile=" + cache + ".jsa", "-XX:+AutoCreateSharedArchive");
            startOnce(flags, variables);
            // Measured with the archive or not at all: a start that could not map it fails.
            return List.of("-XX:SharedArchiveFile=" + cache + ".jsa", "-Xshare:on");
        }
        Path record = Path.of(cache + ".aotconf");
        Path aot = Path.of(cache + ".aot");
        startOnce(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + record), variables);
        List<String> create = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        create.addAll(settings.serviceJvmFlags());
        create.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + record, "-XX:AOTCache=" + aot,
                "-jar", settings.serviceJar().toString()));
        Process creating = new ProcessBuilder(create).redirectErrorStream(true)
                .redirectOutput(settings.workDirectory().resolve("startup-cache.log").toFile()).start();
        if (!creating.waitFor(5, TimeUnit.MINUTES) || creating.exitValue() != 0 || Files.notExists(aot)) {
            throw new IllegalStateException("the AOT cache was not made; see startup-cache.log in the work directory");
        }
        // Measured with the cache or not at all: a start that could not map it fails.
        return List.of("-XX:AOTCache=" + aot, "-XX:AOTMode=on");
    }
}
