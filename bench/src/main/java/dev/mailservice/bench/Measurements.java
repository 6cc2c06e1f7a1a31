package dev.mailservice.bench;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Runs an operation many times, in one or several threads, and reports latencies and rates. */
final class Measurements {

    /** One call of the operation under measurement; true when it succeeded. */
    @FunctionalInterface
    interface Operation {
        boolean call() throws Exception;
    }

    /**
     * @param count     calls made
     * @param errors    calls that failed
     * @param seconds   wall time
     * @param latencies every call's latency in nanoseconds, sorted
     */
    record Result(long count, long errors, double seconds, long[] latencies) {

        double perSecond() {
            return (count - errors) / seconds;
        }

        double percentileMillis(double percentile) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(percentile / 100.0 * latencies.length) - 1;
            return latencies[Math.max(0, Math.min(index, latencies.length - 1))] / 1e6;
        }
    }

    private Measurements() {}

    /**
     * Untimed work before each timed call, e.g. changing what the call will read. The call starts
     * a moment after it, so that what the preparation set off (etcd committing a put, the kernel
     * writing a file) does not compete with the call for the machine's two cores.
     */
    @FunctionalInterface
    interface Preparation {
        void prepare() throws Exception;
    }

    private static final Preparation NOTHING = () -> {};
    private static final long SETTLE_MILLIS = 2;

    /** Calls {@code operation} {@code count} times from one thread. */
    static Result sequential(int count, Operation operation) throws Exception {
        return sequential(count, NOTHING, operation);
    }

    /** Calls {@code operation} {@code count} times from one thread, {@code preparation} untimed before each. */
    static Result sequential(int count, Preparation preparation, Operation operation) throws Exception {
        long[] latencies = new long[count];
        long errors = 0;
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            preparation.prepare();
            if (preparation != NOTHING) {
                Thread.sleep(SETTLE_MILLIS);
            }
            long before = System.nanoTime();
            boolean ok = operation.call();
            latencies[i] = System.nanoTime() - before;
            errors += ok ? 0 : 1;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Arrays.sort(latencies);
        return new Result(count, errors, seconds, latencies);
    }

    /** Makes the operation one client calls, with what it keeps of its own (a connection); closed after its phase. */
    @FunctionalInterface
    interface Client {
        Operation open() throws Exception;
    }

    /** Calls {@code operation} from {@code clients} threads at once, each as fast as it can, for {@code seconds}. */
    static Result concurrent(int clients, double seconds, Operation operation) throws Exception {
        return concurrent(clients, seconds, () -> operation);
    }

    /**
     * Calls, from {@code clients} threads at once, each the operation {@code client} opens for it, as fast as it
     * can, for {@code seconds}; an operation that is {@link AutoCloseable} is closed at the end.
     * They are virtual threads: at hundreds of clients, platform threads would cost the load tool, which shares
     * the machine with what it measures, a context switch per call.
     */
    static Result concurrent(int clients, double seconds, Client client) throws Exception {
        long[][] perClient = new long[clients][];
        int[] counts = new int[clients];
        LongAdder errors = new LongAdder();
        AtomicLong deadline = new AtomicLong();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<?>[] running = new Future<?>[clients];
            long started = System.nanoTime();
            deadline.set(started + (long) (seconds * 1e9));
            for (int c = 0; c < clients; c++) {
                int index = c;
                running[c] = threads.submit(() -> {
                    Operation operation = client.open();
                    long[] latencies = new long[1 << 16];
                    int n = 0;
                    try {
                        while (System.nanoTime() < deadline.get()) {
                            long before = System.nanoTime();
                            boolean ok;
                            try {
                                ok = operation.call();
                            } catch (Exception e) {
                                ok = false;
                            }
                            if (n == latencies.length) {
                                latencies = Arrays.copyOf(latencies, n * 2);
                            }
                            latencies[n++] = System.nanoTime() - before;
                            if (!ok) {
                                errors.increment();
                            }
                        }
                    } finally {
                        if (operation instanceof AutoCloseable own) {
                            own.close();
                        }
                    }
                    perClient[index] = latencies;
                    counts[index] = n;
                    return null;
                });
            }
            for (Future<?> each : running) {
                each.get(10, TimeUnit.MINUTES);
            }
            double elapsed = (System.nanoTime() - started) / 1e9;
            long[] all = new long[Arrays.stream(counts).sum()];
            int at = 0;
            for (int c = 0; c < clients; c++) {
                System.arraycopy(perClient[c], 0, all, at, counts[c]);
                at += counts[c];
            }
            Arrays.sort(all);
            return new Result(all.length, errors.sum(), elapsed, all);
        } finally {
            threads.shutdownNow();
        }
    }
}
