package dev.mailservice.bootstrap;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Collects every log line written during a test, formatted as the service writes them. */
final class LogCapture extends Handler implements BeforeEachCallback, AfterEachCallback {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    LogCapture() {
        setLevel(Level.ALL);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        lines.clear();
        Logger.getLogger("").addHandler(this);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Logger.getLogger("").removeHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(formatter.format(record));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Fails if any line logged so far shows one of {@code secrets}. */
    void assertNoLineShows(String... secrets) {
        if (lines.isEmpty()) {
            throw new AssertionError("no log line was captured, so checking them for secrets proves nothing");
        }
        for (String line : lines) {
            for (String secret : secrets) {
                if (line.contains(secret)) {
                    throw new AssertionError("a log line shows a secret: " + line);
                }
            }
        }
    }
}
