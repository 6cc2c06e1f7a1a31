package dev.mailservice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Postfix's {@code smtp-sink}: a neutral SMTP server that accepts every mail and throws it away,
 * counting what it received, so that a count can confirm that every send arrived.
 */
final class SmtpSink implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/smtp-sink");
    private static final Pattern MESSAGES = Pattern.compile("mesg=(\\d+)");

    private final Process process;
    private final Path counters;
    private final int port;

    SmtpSink(Path directory, int port) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's postfix package (bench/run does)");
        }
        this.port = port;
        this.counters = directory.resolve("smtp-sink.out");
        // -c: counters on standard output; -u: the user to run as when started by root; 1000: backlog.
        process = new ProcessBuilder(BINARY.toString(), "-c", "-u", "nobody", "127.0.0.1:" + port, "1000")
                .redirectErrorStream(true)
                .redirectOutput(counters.toFile())
                .start();
        Thread.sleep(200);
        if (!process.isAlive()) {
            throw new IllegalStateException("smtp-sink did not start: " + Files.readString(counters));
        }
    }

    int port() {
        return port;
    }

    /** Messages received so far, from the sink's own counters. */
    long messagesReceived() throws IOException {
        List<String> lines = List.of(Files.readString(counters, StandardCharsets.ISO_8859_1).split("[\r\n]+"));
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher count = MESSAGES.matcher(lines.get(i));
            if (count.find()) {
                return Long.parseLong(count.group(1));
            }
        }
        return 0;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
