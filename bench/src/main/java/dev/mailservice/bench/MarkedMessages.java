package dev.mailservice.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a growing log, only what was appended since the last read, and follows the marked messages in it: from
 * the queue ID their subject was logged with to that queue ID's removal. (Postfix may give a later message a queue
 * ID again once the first is removed: the log's order tells them apart.) Also what marks a message: its
 * {@link #subject subject}, and the {@link #HEADER_CHECK header check} that has Postfix log it.
 */
final class MarkedMessages {

    /** What a marked subject starts with; its marker, a number, follows. */
    private static final String MARKED_SUBJECT = "Bench mail ";
    /** The header check that has Postfix's cleanup daemon log a marked subject, with the message's queue ID. */
    static final String HEADER_CHECK = "/^Subject: " + MARKED_SUBJECT + "[0-9]+$/ WARN\n";
    /**
     * The cleanup daemon logs this for a marked subject, as the header check's WARN action asks: the message's queue
     * ID, then the header.
     */
    private static final Pattern MARKED = Pattern.compile(
            " postfix/cleanup\\[\\d+]: (\\w+): warning: header Subject: " + MARKED_SUBJECT + "(\\d+) from ");
    /** The queue manager logs this once per message, after the discard transport has taken it. */
    private static final Pattern MESSAGE_DONE = Pattern.compile(" postfix/qmgr\\[\\d+]: (\\w+): removed$");

    private final Path file;
    private final StringBuilder partialLine = new StringBuilder();
    /** The marker of each message in the queue that has one, by queue ID. */
    private final Map<String, Long> queued = new HashMap<>();
    private final Map<Long, Integer> delivered = new HashMap<>();
    private long offset;

    MarkedMessages(Path file) {
        this.file = file;
    }

    /** The subject that marks a message with {@code marker}. */
    static String subject(long marker) {
        return MARKED_SUBJECT + marker;
    }

    /** How many messages of each marker were removed from the queue, as far as the log tells now. */
    synchronized Map<Long, Integer> deliveries() throws IOException {
        if (Files.exists(file)) {
            try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
                log.seek(offset);
                byte[] buffer = new byte[64 * 1024];
                int read;
                while ((read = log.read(buffer)) > 0) {
                    offset += read;
                    partialLine.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                    readCompleteLines();
                }
            }
        }
        return Map.copyOf(delivered);
    }

    private void readCompleteLines() {
        int start = 0;
        int end;
        while ((end = partialLine.indexOf("\n", start)) >= 0) {
            read(partialLine.substring(start, end));
            start = end + 1;
        }
        partialLine.delete(0, start);
    }

    private void read(String line) {
        // Most lines are neither: the cheap test first.
        if (line.endsWith(": removed")) {
            Matcher done = MESSAGE_DONE.matcher(line);
            if (done.find()) {
                Long marker = queued.remove(done.group(1));
                if (marker != null) {
                    delivered.merge(marker, 1, Integer::sum);
                }
            }
        } else if (line.contains(MARKED_SUBJECT)) {
            Matcher marked = MARKED.matcher(line);
            if (marked.find()) {
                queued.put(marked.group(1), Long.parseLong(marked.group(2)));
            }
        }
    }
}
