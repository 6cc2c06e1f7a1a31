package dev.mailservice.bootstrap;

import dev.mailservice.adapters.http.observe.RequestIds;
import java.io.PrintStream;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Formats and writes log records to standard error from a thread of its own, in the order they
 * were logged, a few milliseconds after they were logged: in the {@link LogFormat} of
 * {@code LOG_FORMAT}, with the id of the request whose thread logged each one.
 *
 * <p>Formatting and writing a line on the request's own (virtual) thread made a logged line cost
 * the request about 0.1 ms on a two-core machine (seen in the benchmark on the reload route,
 * which logs every configuration it applies). So the caller only queues the record, whose time
 * is taken when it is logged, and the writer formats and writes the queue on its own schedule:
 * waking it for every record would cost a context switch again. The format has no source class
 * or method, which only the caller's thread could tell. Should the queue ever hold too many
 * records, the caller writes directly rather than drop one. (Written here because the JDK has no
 * asynchronous handler, and Logback's would need the logging stack {@link LogFormat} explains.)
 */
public final class AsyncConsoleHandler extends Handler {

    private static final int CAPACITY = 10_000;
    private static final long DRAIN_INTERVAL_MILLIS = 20;

    /** A record, and the request it was logged for: the writer thread cannot tell which that was. */
    private record Entry(LogRecord record, Optional<String> requestId) {}

    private static volatile LogFormat format = LogFormat.TEXT;

    private final Queue<Entry> records = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final PrintStream out = System.err;

    public AsyncConsoleHandler() {
        setLevel(Level.ALL);
        Thread.ofPlatform().name("log-writer").daemon(true).start(this::drainForever);
    }

    /** From now on, every line is written in {@code lineFormat}. */
    static void use(LogFormat lineFormat) {
        format = lineFormat;
    }

    /** Writes every line logged so far, then returns; for the moment before the JVM exits. */
    static void flushAll() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.flush();
        }
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        Entry entry = new Entry(record, RequestIds.current());
        if (queued.incrementAndGet() > CAPACITY) {
            queued.decrementAndGet();
            flush();
            synchronized (out) {
                write(entry);
            }
            return;
        }
        records.add(entry);
    }

    private void write(Entry entry) {
        try {
            out.print(format.format(entry.record(), entry.requestId()));
        } catch (RuntimeException e) {
            reportError("cannot format a log record", e, ErrorManager.FORMAT_FAILURE);
        }
    }

    private void drainForever() {
        try {
            while (true) {
                drain();
                TimeUnit.MILLISECONDS.sleep(DRAIN_INTERVAL_MILLIS);
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain() {
        synchronized (out) {
            Entry entry;
            while ((entry = records.poll()) != null) {
                queued.decrementAndGet();
                write(entry);
            }
            out.flush();
        }
    }

    /** Writes every queued line now. */
    @Override
    public void flush() {
        drain();
    }

    @Override
    public void close() {
        drain();
    }
}
