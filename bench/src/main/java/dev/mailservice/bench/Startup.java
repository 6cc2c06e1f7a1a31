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
 * the service's. The machine's speed changes by the hour, by a fifth and more, the floor's with it:
 * the service's start over the floor's, pair by pair, moves less from hour to hour than either start.
 */
record Startup(BenchmarkSettings settings, SmtpSink sink) {

    /** The AOT cache (JEP 483) from this feature release on; a dynamic class-data archive before. */
    private static final int AOT_CACHE_FEATURE = 25;

    /** A jar started, with the JVM flags it is started with after the deployment's. */
    private record Contender(Path jar, List<String> jvmFlags) {}

    void measure(Map<String, Double> figures) throws Exception {
        Path file = Benchmark.writeConfiguration(settings, "startup.json", sink.port(), "a@bench.example");
        Map<String, String> variables = Map.of("SMTP_CONFIG_FILE", file.toString());
        Medians plain = alternating(new Contender(settings.serviceJar(), List.of()),
                new Contender(settings.floorJar(), List.of()), variables);
        figures.put("startup_ms", plain.service());
        figures.put("startup_floor_ms", plain.floor());
        figures.put("startup_vs_floor", plain.ratio());
        figures.put("startup_classes", (double) classesLoaded(variables));
        Medians cached = alternating(
                new Contender(settings.serviceJar(), cacheFlags(settings.serviceJar(), "startup-cache", variables)),
                new Contender(settings.floorJar(), cacheFlags(settings.floorJar(), "floor-cache", variables)),
                variables);
        figures.put("startup_cached_ms", cached.service());
        figures.put("startup_floor_cached_ms", cached.floor());
        figures.put("startup_cached_vs_floor", cached.ratio());
    }

    /** Median starts in milliseconds, and the median of the service's start over the floor's, pair by pair. */
    private record Medians(double service, double floor, double ratio) {}

    /** Starts the service and the floor in turns, every other pair the floor first. */
    private Medians alternating(Contender service, Contender floor, Map<String, String> variables) throws Exception {
        int pairs = settings.startups();
        double[] services = new double[pairs];
        double[] floors = new double[pairs];
        double[] ratios = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                services[i] = startOnce(service, variables);
                floors[i] = startOnce(floor, variables);
            } else {
                floors[i] = startOnce(floor, variables);
                services[i] = startOnce(service, variables);
            }
            ratios[i] = services[i] / floors[i];
        }
        return new Medians(median(services) / 1e6, median(floors) / 1e6, median(ratios));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
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

    /**
     * Makes {@code jar}'s cache, its files named {@code name}, with one recorded start, and answers
     * the flags that start with it.
     */
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
        Process creating = new ProcessBuilder(create).redirectErrorStream(true)
                .redirectOutput(creatingLog.toFile()).start();
        if (!creating.waitFor(5, TimeUnit.MINUTES) || creating.exitValue() != 0 || Files.notExists(aot)) {
            throw new IllegalStateException("the AOT cache was not made; see " + creatingLog.getFileName()
                    + " in the work directory");
        }
        // Measured with the cache or not at all: a start that could not map it fails.
        return List.of("-XX:AOTCache=" + aot, "-XX:AOTMode=on");
    }
}
