package dev.mailservice.bootstrap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailservice.adapters.http.observe.RequestIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * How a log record becomes a line ({@code LOG_FORMAT}): readable text, or one JSON object per
 * line for a log collector. Both carry the id of the request that caused the record, when one did.
 *
 * <p>Written here because no maintained encoder writes these fields from the JDK's log records:
 * Logback's JSON encoder has fixed field names, and Logback with an encoder that renames them
 * would add several hundred classes and a few hundred milliseconds to start-up (measured, and
 * told in docs/benchmark.md) for the same lines.
 */
enum LogFormat {

    /** {@code time level logger - message}, as {@code logging.properties} shapes it, then {@code request=<id>}. */
    TEXT {
        private final Formatter text = new SimpleFormatter();

        @Override
        String format(LogRecord record, Optional<String> requestId) {
            String line = text.format(record);
            return requestId.map(id -> line.stripTrailing() + " request=" + id + System.lineSeparator()).orElse(line);
        }
    },

    /**
     * {@code time, level, logger, message}, then {@code requestId} and, on an access line,
     * {@code method, path, status, durationMs}; {@code error} and {@code stack} for a failure.
     */
    JSON {
        private final Formatter messages = new SimpleFormatter();

        @Override
        String format(LogRecord record, Optional<String> requestId) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", record.getInstant().toString());
            line.put("level", record.getLevel().getName());
            line.put("logger", record.getLoggerName());
            line.put("message", messages.formatMessage(record));
            requestId.ifPresent(id -> line.put("requestId", id));
            Object[] parameters = record.getParameters();
            if (RequestIds.ACCESS_LOGGER.equals(record.getLoggerName()) && parameters != null && parameters.length == 4) {
                line.put("method", parameters[0]);
                line.put("path", parameters[1]);
                line.put("status", parameters[2]);
                line.put("durationMs", parameters[3]);
            }
            if (record.getThrown() != null) {
                line.put("error", record.getThrown().toString());
                StringWriter stack = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(stack));
                line.put("stack", stack.toString());
            }
            try {
                return JsonLines.MAPPER.writeValueAsString(line) + System.lineSeparator();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    /**
     * Holds the JSON format's mapper, made when the first JSON line is written: an enum's constants
     * are all made together, and a start that logs text has no use for it.
     */
    private static final class JsonLines {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** The line for {@code record}, logged while serving request {@code requestId}, if any. */
    abstract String format(LogRecord record, Optional<String> requestId);

    /**
     * {@code LOG_FORMAT}: {@code text} (the default) or {@code json}; any other value is refused in
     * {@code environment}.
     */
    static LogFormat read(Environment environment) {
        String value = environment.valueOr(Settings.LOG_FORMAT, "text");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> environment.refuse(Settings.LOG_FORMAT + " must be 'text' or 'json', got '" + value + "'", TEXT);
        };
    }
}
