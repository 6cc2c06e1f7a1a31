package dev.mailservice.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the benchmark runs. The service runs on the benchmark's own JVM binary.
 *
 * @param quick            a smoke run: fewer calls, shorter phases
 * @param serviceJar       {@code bootstrap/target/mail-service.jar}
 * @param floorJar         {@code bench/floor/target/floor.jar}, Helidon's web server alone: the floor under
 *                         the service's start-up
 * @param pipesHubPeer     {@code bench/node/pipeshub-peer.js}, its packages installed beside it
 * @param serviceJvmFlags  flags the service JVM gets, as a deployment would give them
 * @param workDirectory    where configuration files and logs go
 * @param resultsFile      where the figures are written as JSON; the charts go beside it
 * @param roundTrip        the round-trip time the latency proxy puts between senders and the SMTP server
 */
record BenchmarkSettings(boolean quick, Path serviceJar, Path floorJar, Path pipesHubPeer, List<String> serviceJvmFlags,
        Path workDirectory, Path resultsFile, Duration roundTrip) {

    /** The concurrencies of the growth series. */
    static final List<Integer> CONCURRENCIES = List.of(1, 4, 16, 64, 256);

    /**
     * The service's default {@code SMTP_POOL_SIZE} (bootstrap's {@code Settings}): the service runs
     * with it unset, nodemailer's pool is given as many connections, and the tables name it.
     */
    static final int SERVICE_DEFAULT_POOL_SIZE = 32;

    /** The pool sizes the service is measured at, beside its default. */
    static final List<Integer> POOL_SIZES = List.of(1, 4);

    /** The replica counts of the convergence series. */
    static final List<Integer> REPLICAS = List.of(1, 3, 6);

    /**
     * The concurrencies measured: a quick run keeps the ends and the middle, and leaves the
     * smaller pools out (at 256 clients a pool of one takes seconds to drain a phase).
     */
    List<Integer> concurrencies() {
        return quick ? List.of(1, 16, 256) : CONCURRENCIES;
    }

    List<Integer> poolSizes() {
        return quick ? List.of() : POOL_SIZES;
    }

    List<Integer> replicas() {
        return quick ? List.of(3) : REPLICAS;
    }

    /** Calls in a sequential latency measurement. */
    int sequentialCalls() {
        return quick ? 100 : 3_000;
    }

    /** Calls made before measuring, so that the JIT has compiled the paths measured. */
    int warmUpCalls() {
        return quick ? 100 : 3_000;
    }

    /** Length of a throughput phase, in seconds. */
    double phaseSeconds() {
        return quick ? 1 : 8;
    }

    /**
     * Rounds of a comparison: each figure is the median of them, with their minimum and maximum.
     * A quick run makes one: it shows that everything runs, not how it compares.
     */
    int rounds() {
        return quick ? 1 : 3;
    }

    /**
     * Rounds of the send comparison at a provider's distance. More than {@link #rounds()}: one round's send
     * rate can stray from the others by a tenth and more with what else the two cores happen to be doing, and a
     * median of five is steadier than one of three.
     */
    int sendRounds() {
        return quick ? 1 : 5;
    }

    /**
     * Length of one contender's measured phase in one round of a comparison, in seconds. A quick run's, after its
     * lead-in, is still long enough for PipesHub's path, cold, to answer some of 256 clients' first sends within
     * it, and so for some of their next sends to begin within it.
     */
    double roundPhaseSeconds() {
        return quick ? 1 : 3;
    }

    /**
     * How long each contender sends from 16 clients before the rounds begin, in seconds: long enough for the JIT
     * to have compiled most of what a send runs, which is slow on two busy cores, and for Node to have optimised
     * its code.
     */
    double warmUpSeconds() {
        return quick ? 0.5 : 12;
    }

    /**
     * Length of the measured phase against a server that misbehaves, in seconds: long enough for every fault to
     * come many times (a connection's 4th mail, one recipient in twenty).
     */
    double faultPhaseSeconds() {
        return quick ? 1 : 10;
    }

    /** The unmeasured lead-in of each phase of the send comparison, on the phase's connections, in seconds. */
    double leadInSeconds() {
        return quick ? 0.5 : 1;
    }

    /** Calls of one contender in one round of a sequential comparison. */
    int roundCalls() {
        return quick ? 100 : 1_000;
    }

    /** Calls of PipesHub's reload in one round: each makes 95 etcd calls one after the other. */
    int peerReloadCalls() {
        return quick ? 5 : 200;
    }

    int convergencePuts() {
        return quick ? 10 : 50;
    }

    int startups() {
        return quick ? 1 : 5;
    }
}
