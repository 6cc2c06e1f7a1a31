package dev.mailservice.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * How the benchmark runs. The service runs on the benchmark's own JVM binary.
 *
 * @param quick            a smoke run: fewer calls, shorter phases
 * @param serviceJar       {@code bootstrap/target/mail-service.jar}
 * @param serviceJvmFlags  flags the service JVM gets, as a deployment would give them
 * @param workDirectory    where configuration files and logs go
 * @param resultsFile      where the figures are written as JSON
 */
record BenchmarkSettings(boolean quick, Path serviceJar, List<String> serviceJvmFlags, Path workDirectory,
        Path resultsFile) {

    /** Calls in a sequential latency measurement. */
    int sequentialCalls() {
        return quick ? 300 : 3_000;
    }

    /** Calls made before measuring, so that the JIT has compiled the paths measured. */
    int warmUpCalls() {
        return quick ? 300 : 3_000;
    }

    /** Length of a throughput phase, in seconds. */
    double phaseSeconds() {
        return quick ? 1.5 : 8;
    }

    int convergencePuts() {
        return quick ? 10 : 50;
    }

    int startups() {
        return quick ? 3 : 5;
    }
}
