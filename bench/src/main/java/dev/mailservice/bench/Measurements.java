package dev.mailservice.bench;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs an operation many times, in one or several threads, and reports latencies and rates. */
final class Measurements {

    /** One call of the operation under measurement; true when it succeeded. */
    @FunctionalInterface
    interface Operation {
        boolean call() throws Exception;
    }

    /**
     * @param calls      calls made
     * @param errors     calls that failed
     * @param perSecond  calls that succeeded, per second
     * @param latencies  the measured calls' latencies in nanoseconds, sorted
     */
    record Result(long calls, long errors, double perSecond, long[] latencies) {

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
        return new Result(count, errors, (count - errors) / seconds, latencies);
    }

    /** Makes the operation one client calls, with what it keeps of its own (a connection); closed after its phase. */
    @FunctionalInterface
    interface Client {
        Operation open() throws Exception;
    }

    /** {@code operation}, which keeps {@code resource} of its own: closed at the end of its phase. */
    static Operation owning(AutoCloseable resource, Operation operation) {
        return new Owning(resource, operation);
    }

    private record Owning(AutoCloseable resource, Operation operation) implements Operation, AutoCloseable {

        @Override
        public boolean call() throws Exception {
            return operation.call();
        }

        @Override
        public void close() throws Exception {
            resource.close();
        }
    }

    /** Calls {@code operation} from {@code clients} threads at once, each as fast as it can, for {@code seconds}. */
    static Result concurrent(int clients, double seconds, Operation operation) throws Exception {
        return concurrent(clients, 0, seconds, () -> operation);
    }

    /** As {@link #concurrent(int, double, double, Client)}, measured from the start. */
    static Result concurrent(int clients, double seconds, Client client) throws Exception {
        return concurrent(clients, 0, seconds, client);
    }

    /**
     * Calls, from {@code clients} threads at once, each the operation {@code client} opens for it, as fast as it
     * can, for {@code leadInSeconds} unmeasured and then {@code seconds} measured; an operation that is
     * {@link AutoCloseable} is closed at the end.
     *
     * <p>The measured window is the steady state: the clients keep their connections from the lead-in into it
     * and go on calling until it ends, so it sees neither connections being opened nor the last calls draining
     * away. The rate counts the calls that ended inside the window; the latencies are those of the calls that
     * began inside it, each waited for however long it takes (at hundreds of clients queuing for a few
     * connections, a call can take longer than the window). The counts of calls and errors take in every call.
     *
     * <p>They are virtual threads: at hundreds of clients, platform threads would cost the load tool, which shares
     * the machine with what it measures, a context switch per call.
     */
    static Result concurrent(int clients, double leadInSeconds, double seconds, Client client) throws Exception {
        CallLog[] logs = new CallLog[clients];
        long started = System.nanoTime();
        long windowStart = started + (long) (leadInSeconds * 1e9);
        long windowEnd = windowStart + (long) (seconds * 1e9);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<?>[] running = new Future<?>[clients];
            for (int c = 0; c < clients; c++) {
                int index = c;
                running[c] = threads.submit(() -> {
                    Operation operation = client.open();
                    CallLog log = new CallLog();
                    try {
                        long began;
                        while ((began = System.nanoTime()) < windowEnd) {
                            boolean ok;
                            try {
                                ok = operation.call();
                            } catch (Exception e) {
                                ok = false;
                            }
                            log.add(began, System.nanoTime(), ok);
                        }
                    } finally {
                        if (operation instanceof AutoCloseable own) {
                            own.close();
                        }
                    }
                    logs[index] = log;
                    return null;
                });
            }
            for (Future<?> each : running) {
                each.get(10, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
        }
        long calls = 0;
        long errors = 0;
        long succeededInWindow = 0;
        long[] latencies = new long[Arrays.stream(logs).mapToInt(CallLog::size).sum()];
        int measured = 0;
        for (CallLog log : logs) {
            for (int i = 0; i < log.size(); i++) {
                long began = log.began[i];
                long ended = log.ended[i];
                boolean ok = log.succeeded.get(i);
                calls++;
                errors += ok ? 0 : 1;
                if (ok && ended >= windowStart && ended < windowEnd) {
                    succeededInWindow++;
                }
                if (began >= windowStart && began < windowEnd) {
                    latencies[measured++] = ended - began;
                }
            }
        }
        long[] sorted = Arrays.copyOf(latencies, measured);
        Arrays.sort(sorted);
        return new Result(calls, errors, succeededInWindow / seconds, sorted);
    }

    /** When one client's calls began and ended, and whether each succeeded; grows as the client calls. */
    private static final class CallLog {
        private long[] began = new long[256];
        private long[] ended = new long[256];
        private final BitSet succeeded = new BitSet();
        private int size;

        void add(long beganNanos, long endedNanos, boolean ok) {
            if (size == began.length) {
                began = Arrays.copyOf(began, size * 2);
                ended = Arrays.copyOf(ended, size * 2);
            }
            began[size] = beganNanos;
            ended[size] = endedNanos;
            succeeded.set(size, ok);
            size++;
        }

        int size() {
            return size;
        }
    }
}
