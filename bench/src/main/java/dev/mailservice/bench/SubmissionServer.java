package dev.mailservice.bench;

import dev.mailservice.testkit.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real mail provider's submission server on 127.0.0.1: Debian's Postfix with a configuration of its own,
 * offering STARTTLS with a certificate made at start and SASL AUTH (PLAIN, LOGIN) only once TLS is up,
 * accepting mail only from the one user it creates, and discarding what it accepts.
 *
 * <p>{@link SmtpSink} measures the service against a peer that costs nothing; a provider does not. Before its
 * first mail a client pays the greeting, EHLO, STARTTLS with a TLS handshake, EHLO again and AUTH, each a round
 * trip, and the server's processes and queue take their share of every mail. Run behind a {@link LatencyProxy},
 * this is what the service meets in production.
 *
 * <p>A message whose subject is a {@link #markedSubject marked subject} is noted in the server's log by its marker, and
 * again when it was delivered, so that {@link #markedDeliveries()} tells which of them the server took, and how often.
 *
 * <p>Postfix runs as root (its master drops privileges for each daemon) and leaves {@code /etc/postfix} and the
 * system's queue alone: its configuration, certificates and log live under the given work directory, and its queue
 * and SASL user database under {@code /dev/shm}, so that the queue's fsync costs memory, not the disk.
 *
 * <p>This class runs the server's processes; {@link PostfixSetup} lays out their files, {@link MarkedMessages}
 * reads their log.
 */
final class SubmissionServer implements AutoCloseable {

    private static final Path TMPFS = Path.of("/dev/shm");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final int port;
    private final Path configDirectory;
    private final Path runtimeDirectory;
    private final String password;
    private final Process master;
    private final MarkedMessages marked;
    /** Stops Postfix should the benchmark be interrupted, as it would otherwise outlive it, still listening. */
    private final Thread shutdownHook;

    private SubmissionServer(int port, Path configDirectory, Path runtimeDirectory, String password, Process master) {
        this.port = port;
        this.configDirectory = configDirectory;
        this.runtimeDirectory = runtimeDirectory;
        this.password = password;
        this.master = master;
        this.marked = new MarkedMessages(configDirectory.resolve(PostfixSetup.LOG_FILE));
        this.shutdownHook = new Thread(() -> {
            stop(master);
            deleteQuietly(runtimeDirectory);
        }, "submission-server-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Configures and starts Postfix on 127.0.0.1:{@code port}, returning once it answers with its greeting.
     * Its files go to {@code workDirectory/submission-server} and a fresh directory under {@code /dev/shm}.
     */
    static SubmissionServer start(Path workDirectory, int port) throws IOException, InterruptedException {
        PostfixSetup.requirePrograms();
        Path configDirectory = Files.createDirectories(workDirectory.resolve("submission-server"));
        Path runtimeDirectory = Files.createTempDirectory(TMPFS, "submission-server-");
        SubmissionServer server = null;
        try {
            String password = PostfixSetup.lay(configDirectory, runtimeDirectory, port);
            // -s, as "postfix start-fg" runs it: the master stays in the foreground but leads a process group of
            // its own, which it signals on SIGTERM to stop every daemon it started. (-d would leave it in ours.)
            Process master = new ProcessBuilder(PostfixSetup.MASTER.toString(), "-c", configDirectory.toString(), "-s")
                    .redirectErrorStream(true)
                    .redirectOutput(configDirectory.resolve("master.out").toFile())
                    .start();
            server = new SubmissionServer(port, configDirectory, runtimeDirectory, password, master);
            server.awaitGreeting();
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (server != null) {
                server.close();
            } else {
                deleteQuietly(runtimeDirectory);
            }
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** The authority that signed the server's certificate: the only one a client needs to trust. */
    Path caFile() {
        return configDirectory.resolve("certificates").resolve(TestCertificates.CA_FILE);
    }

    String username() {
        return PostfixSetup.USERNAME;
    }

    String password() {
        return password;
    }

    /**
     * A subject that marks a message with {@code marker}, for {@link #markedDeliveries()}: ASCII letters, digits and
     * spaces, short enough that no client encodes or folds it.
     */
    static String markedSubject(long marker) {
        return MarkedMessages.subject(marker);
    }

    /**
     * How many messages of each marker the server has accepted and delivered (to its discard transport) so far,
     * read from Postfix's log: a message counts once its queue ID, which the log gives with its marked subject, is
     * removed from the queue. The figures trail the "250 queued" reply by the few milliseconds the queue manager and
     * the log take, so wait for them a moment.
     */
    Map<Long, Integer> markedDeliveries() throws IOException {
        return marked.deliveries();
    }

    /** Stops the master and every daemon it started, then removes the queue from {@code /dev/shm}. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            return; // the hook is stopping it
        }
        stop(master);
        deleteQuietly(runtimeDirectory);
    }

    private void awaitGreeting() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                socket.setSoTimeout(5_000);
                String greeting = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                if (greeting != null && greeting.startsWith("220 ")) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet, or still starting smtpd.
            }
            if (!master.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Postfix did not greet on 127.0.0.1:" + port + " (master "
                        + (master.isAlive() ? "running" : "exited with " + master.exitValue()) + "); its log:\n"
                        + logTail());
            }
            Thread.sleep(50);
        }
    }

    private String logTail() throws IOException {
        StringBuilder tail = new StringBuilder();
        for (String file : List.of(PostfixSetup.LOG_FILE, "master.out")) {
            Path path = configDirectory.resolve(file);
            if (Files.exists(path)) {
                List<String> lines = Files.readAllLines(path, StandardCharsets.ISO_8859_1);
                lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(line -> tail.append(line).append('\n'));
            }
        }
        return tail.toString();
    }

    /**
     * SIGTERM to the master, which passes it to its process group and exits; then, in case a daemon outlives it,
     * the same to every process it had started. Interrupted, it kills them all at once and keeps the interrupt.
     */
    private static void stop(Process master) {
        List<ProcessHandle> processes = new ArrayList<>(master.descendants().toList());
        processes.add(master.toHandle());
        master.destroy();
        try {
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            for (ProcessHandle process : processes) {
                process.destroy();
                while (process.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        processes.forEach(ProcessHandle::destroyForcibly);
    }

    private static void deleteQuietly(Path directory) {
        try {
            deleteRecursively(directory);
        } catch (IOException e) {
            System.err.println("Could not remove " + directory + ": " + e);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
