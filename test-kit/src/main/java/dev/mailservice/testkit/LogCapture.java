package dev.mailservice.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What a JDK logger publishes while a test runs, its own records and those of the loggers under
 * it: as records, as lines {@code LEVEL message} with the message's parameters filled in, or in
 * full as {@link SimpleFormatter} writes them, stack traces included. Lines are made as the records
 * are published, from the parameters as they are then. Closing it detaches it, and gives the
 * logger back the level it had.
 */
public final class LogCapture implements AutoCloseable {

    /** Held here: the JDK keeps loggers weakly, and one collected would take the capture with it. */
    private final Logger logger;
    private final Level levelBefore;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> fullLines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            lines.add(record.getLevel() + " " + formatter.formatMessage(record));
            fullLines.add(formatter.format(record));
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private LogCapture(Logger logger, Level level) {
        this.logger = logger;
        this.levelBefore = logger.getLevel();
        handler.setLevel(Level.ALL);
        if (level != null) {
            logger.setLevel(level);
        }
        logger.addHandler(handler);
    }

    /** What {@code source}'s logger publishes, at the level it is set to. */
    public static LogCapture of(Class<?> source) {
        return new LogCapture(Logger.getLogger(source.getName()), null);
    }

    /** What {@code source}'s logger publishes at {@code level} and above, its level set to that until closed. */
    public static LogCapture of(Class<?> source, Level level) {
        return new LogCapture(Logger.getLogger(source.getName()), level);
    }

    /** What the logger named {@code name} publishes (one not named after a class), at the level it is set to. */
    public static LogCapture named(String name) {
        return new LogCapture(Logger.getLogger(name), null);
    }

    /** What every logger publishes, at the levels they are set to. */
    public static LogCapture all() {
        return new LogCapture(Logger.getLogger(""), null);
    }

    /** The records so far. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The records so far, each as {@code LEVEL message}, the message's parameters filled in. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The records so far, each as {@link SimpleFormatter} writes it: time, source, level, message, stack trace. */
    public List<String> fullLines() {
        return List.copyOf(fullLines);
    }

    /** Forgets the records so far. */
    public void clear() {
        records.clear();
        lines.clear();
        fullLines.clear();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(levelBefore);
    }
}
