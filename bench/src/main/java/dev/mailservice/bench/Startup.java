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
 *
 * <p>Beside each, the same for the floor ({@code bench/floor}): Helidon's web server alone, answering
 * that route, started with the same flags and waited for the same way, its starts alternating with
 * the service's. The machine's speed changes by the hour, by a third and more; the floor changes with
 * it, so what the service adds to it can be compared across runs where its own start cannot.
 */
record Startup(BenchmarkSettings settings, SmtpSink sink) {

    /** The AOT cache (JEP 483) from this feature release on; a dynamic class-data archive before. */
    private static final int AOT_CACHE_FEATURE = 25;

    /** A jar started, with the JVM flags it is started with after the deployment's. */
    private record Contender(Path jar, List<String> jvmFlags) {}

    void measure(Map<String, Double> figures) throws Exception {
        Path file = Benchmark.writeConfiguration(settings, "startup.json", sink.port(), "a@bench.example");
        Map<String, String> variables = Map.of("SMTP_CONFIG_FILE", file.toString());
        double[] plain = alternatingMedianMillis(new Contender(settings.serviceJar(), List.of()),
                new Contender(settings.floorJar(), List.of()), variables);
        figures.put("startup_ms", plain[0]);
        figures.put("startup_floor_ms", plain[1]);
        figures.put("startup_over_floor_ms", plain[0] - plain[1]);
        figures.put("startup_classes", (double) classesLoaded(variables));
        double[] cached = alternatingMedianMillis(
                new Contender(settings.serviceJar(), cacheFlags(settings.serviceJar(), "startup-cache", variables)),
                new Contender(settings.floorJar(), cacheFlags(settings.floorJar(), "floor-cache", variables)), variables);
        figures.put("startup_cached_ms", cached[0]);
        figures.put("startup_floor_cached_ms", cached[1]);
        figures.put("startup_cached_over_floor_ms", cached[0] - cached[1]);
    }

    /** The median start of each, their starts alternating (every other pair in reverse order). */
    private double[] alternatingMedianMillis(Contender first, Contender second, Map<String, String> variables)
            throws Exception {
        long[][] startups = new long[2][settings.startups()];
        for (int i = 0; i < settings.startups(); i++) {
            boolean firstFirst = i % 2 == 0;
            startups[firstFirst ? 0 : 1][i] = startOnce(firstFirst ? first : second, variables);
            startups[firstFirst ? 1 : 0][i] = startOnce(firstFirst ? second : first, variables);
        }
        double[] medians = new double[2];
        for (int c = 0; c < 2; c++) {
            Arrays.sort(startups[c]);
            medians[c] = startups[c][startups[c].length / 2] / 1e6;
        }
        return medians;
    }

    private long startOnce(Contender contender, Map<String, String> variables) throws Exception {
        long[] took = new long[1];
        try (BenchedService ignored = BenchedService.start(settings, contender.jar(), contender.jvmFlags(),
                FreePorts.pick(), variables, took)) {
            return took[0];
        }
    }

    private long classesLoaded(Map<String, String> variables) throws Exception {
        Path log = settings.workDirectory().resolve("startup-classes.log");
        startOnce(new Contender(settings.serviceJar(), List.of("-Xlog:class+load=info:file=" + log)), variables);
        try (var lines = Files.lines(log)) {
            return lines.count();
        }
    }

    /** Makes {@code jar}'s cache, named {@code name}, with one recorded start, and answers the flags that start with it. */
    private List<String> cacheFlags(Path jar, String name, Map<String, String> variables) throws Exception {
        Path cache = settings.workDirectory().resolve(name);
        if (Runtime.version().feature() < AOT_CACHE_FEATURE) {
            List<String> flags = List.of("-XX:SharedArchiveFile=" + cache + ".jsa", "-XX:+AutoCreateSharedArchive");
            startOnce(new Contender(jar, flags), variables);
            // Measured with the archive or not at all: a start that could not map it fails.
            return List.of("-XX:SharedArchiveFile=" + cache + ".jsa", "-Xshare:on");
        }
        Path record = Path.of(cache + ".aotconf");
        Path aot = Path.of(cache + ".aot");
        startOnce(new Contender(jar, List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + record)), variables);
        List<String> create = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        create.addAll(settings.serviceJvmFlags());
        create.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + record, "-XX:AOTCache=" + aot,
                "-jar", jar.toString()));
        Path creatingLog = settings.workDirectory().resolve(name + ".log");
        Process creating = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(creatingLog.toFile()).start();
        if (!creating.waitFor(5, TimeUnit.MINUTES) || creating.exitValue() != 0 || Files.notExists(aot)) {
            throw new IllegalStateException("the AOT cache was not made; see " + creatingLog.getFileName()
                    + " in the work directory");
        }
        // Measured with the cache or not at all: a start that could not map it fails.
        return List.of("-XX:AOTCache=" + aot, "-XX:AOTMode=on");
    }
}
