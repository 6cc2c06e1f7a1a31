package dev.mailservice.bench;

import dev.mailservice.testkit.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 */
final class SubmissionServer implements AutoCloseable {

    static final Path MASTER = Path.of("/usr/lib/postfix/sbin/master");
    static final Path SASLPASSWD = Path.of("/usr/sbin/saslpasswd2");
    private static final Path TMPFS = Path.of("/dev/shm");
    private static final String HOSTNAME = "submission.bench.localhost";
    private static final String USERNAME = "bench";
    private static final String MAIL_OWNER = "postfix";
    private static final String LOG_FILE = "maillog";
    private static final String HEADER_CHECKS_FILE = "header_checks";
    /** What a marked subject starts with; its marker, a number, follows. */
    private static final String MARKED_SUBJECT = "Bench mail ";
    /** Well above the 256 concurrent clients the benchmark opens, for smtpd and for cleanup alike. */
    private static final int PROCESS_LIMIT = 512;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The cleanup daemon logs this for a marked subject, as the header check's WARN action asks: the message's queue
     * ID, then the header.
     */
    private static final Pattern MARKED = Pattern.compile(
            " postfix/cleanup\\[\\d+]: (\\w+): warning: header Subject: " + MARKED_SUBJECT + "(\\d+) from ");
    /** The queue manager logs this once per message, after the discard transport has taken it. */
    private static final Pattern MESSAGE_DONE = Pattern.compile(" postfix/qmgr\\[\\d+]: (\\w+): removed$");
    /** The queue directories the daemons expect, owned by the mail owner; {@code postfix check} would make them. */
    private static final List<String> QUEUE_DIRECTORIES = List.of("incoming", "active", "deferred", "defer", "bounce",
            "trace", "flush", "hold", "corrupt", "saved", "maildrop", "private", "public");

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
        this.marked = new MarkedMessages(configDirectory.resolve(LOG_FILE));
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
        requirePrograms();
        Path configDirectory = Files.createDirectories(workDirectory.resolve("submission-server"));
        Path runtimeDirectory = Files.createTempDirectory(TMPFS, "submission-server-");
        SubmissionServer server = null;
        try {
            // The daemons run as the mail owner and must reach the queue and the SASL database through it.
            Files.setPosixFilePermissions(runtimeDirectory, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path certificates = Files.createDirectories(configDirectory.resolve("certificates"));
            TestCertificates.create(certificates);
            String password = newPassword();
            createUser(configDirectory, runtimeDirectory, password);
            Path queueDirectory = createQueue(runtimeDirectory);
            Path dataDirectory = Files.createDirectories(runtimeDirectory.resolve("data"));
            setOwner(dataDirectory, MAIL_OWNER);
            // The check only logs: a marked message goes on as any other.
            Files.writeString(configDirectory.resolve(HEADER_CHECKS_FILE),
                    "/^Subject: " + MARKED_SUBJECT + "[0-9]+$/ WARN\n");
            Files.writeString(configDirectory.resolve("main.cf"),
                    mainCf(configDirectory, certificates, queueDirectory, dataDirectory));
            Files.writeString(configDirectory.resolve("master.cf"), masterCf(port));
            // -s, as "postfix start-fg" runs it: the master stays in the foreground but leads a process group of
            // its own, which it signals on SIGTERM to stop every daemon it started. (-d would leave it in ours.)
            Process master = new ProcessBuilder(MASTER.toString(), "-c", configDirectory.toString(), "-s")
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
        return USERNAME;
    }

    String password() {
        return password;
    }

    /**
     * A subject that marks a message with {@code marker}, for {@link #markedDeliveries()}: ASCII letters, digits and
     * spaces, short enough that no client encodes or folds it.
     */
    static String markedSubject(long marker) {
        return MARKED_SUBJECT + marker;
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

    private static void requirePrograms() {
        requireFile(MASTER, "postfix");
        requireFile(SASLPASSWD, "sasl2-bin");
        // Cyrus SASL's plugins: the user database, and the PLAIN and LOGIN mechanisms.
        requireSaslPlugin("libsasldb.so", "libsasl2-modules-db");
        requireSaslPlugin("libplain.so", "libsasl2-modules");
        requireSaslPlugin("liblogin.so", "libsasl2-modules");
    }

    private static void requireFile(Path file, String debianPackage) {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing: install Debian's " + debianPackage
                    + " package (apt-get install " + debianPackage + ")");
        }
    }

    private static void requireSaslPlugin(String plugin, String debianPackage) {
        try (DirectoryStream<Path> libraries = Files.newDirectoryStream(Path.of("/usr/lib"), "*-linux-gnu*")) {
            for (Path library : libraries) {
                if (Files.exists(library.resolve("sasl2").resolve(plugin))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot look for Cyrus SASL plugins in /usr/lib", e);
        }
        requireFile(Path.of("/usr/lib/<architecture>/sasl2", plugin), debianPackage);
    }

    private static String newPassword() {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * Creates the user in a SASL database of its own, and the Cyrus configuration that points smtpd at it. Debian's
     * smtpd looks for that configuration in the {@code sasl} directory of its configuration directory.
     */
    private static void createUser(Path configDirectory, Path runtimeDirectory, String password)
            throws IOException, InterruptedException {
        Path saslDirectory = Files.createDirectories(configDirectory.resolve("sasl"));
        // Under /dev/shm: smtpd reads the database as the mail owner, who may not reach into the work directory.
        Path database = runtimeDirectory.resolve("sasldb2");
        // smtpd.conf, because Postfix asks Cyrus SASL for the application "smtpd" (smtpd_sasl_path).
        Files.writeString(saslDirectory.resolve("smtpd.conf"), """
                pwcheck_method: auxprop
                auxprop_plugin: sasldb
                mech_list: PLAIN LOGIN
                sasldb_path: %s
                """.formatted(database));
        // -p: the password from standard input; -u: the realm, which smtpd_sasl_local_domain names below.
        Process saslpasswd = new ProcessBuilder(SASLPASSWD.toString(), "-p", "-c", "-f", database.toString(),
                "-u", HOSTNAME, USERNAME).redirectErrorStream(true).start();
        try (var input = saslpasswd.getOutputStream()) {
            input.write(password.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(saslpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!saslpasswd.waitFor(30, TimeUnit.SECONDS) || saslpasswd.exitValue() != 0) {
            throw new IllegalStateException("saslpasswd2 failed: " + output);
        }
        // smtpd reads the database after dropping root for the mail owner.
        setOwner(database, MAIL_OWNER);
    }

    private static Path createQueue(Path runtimeDirectory) throws IOException {
        Path queue = Files.createDirectories(runtimeDirectory.resolve("queue"));
        Files.setPosixFilePermissions(queue, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(queue.resolve("pid")); // the master's, as root
        for (String name : QUEUE_DIRECTORIES) {
            setOwner(Files.createDirectories(queue.resolve(name)), MAIL_OWNER);
        }
        return queue;
    }

    private static void setOwner(Path path, String user) throws IOException {
        UserPrincipal owner = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
        Files.setOwner(path, owner);
    }

    private static String mainCf(Path configDirectory, Path certificates, Path queueDirectory, Path dataDirectory) {
        return """
                compatibility_level = 3.6
                queue_directory = %s
                data_directory = %s
                # The log goes to a file of this instance (through postlogd), where markedDeliveries() reads.
                maillog_file = %s
                maillog_file_prefixes = %s
                myhostname = %s
                mydestination =
                alias_maps =
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                # No DNS: the peer is 127.0.0.1, and nothing is ever relayed.
                smtpd_peername_lookup = no
                smtp_dns_support_level = disabled

                # Everything accepted is thrown away, whatever its recipient.
                default_transport = discard
                local_transport = discard
                relay_transport = discard
                virtual_transport = discard

                # 256 concurrent clients, none slowed down or turned away by Postfix's abuse limits.
                default_process_limit = %d
                smtpd_client_connection_count_limit = 0
                smtpd_client_connection_rate_limit = 0
                smtpd_client_message_rate_limit = 0
                smtpd_client_recipient_rate_limit = 0
                smtpd_client_new_tls_session_rate_limit = 0
                smtpd_client_auth_rate_limit = 0
                # Otherwise smtpd pauses a client up to a second per mail when mail arrives faster than it leaves.
                in_flow_delay = 0
                # Idle daemons stay for the next phase, as under a provider's steady load: starting 256 smtpd at once
                # (each loading TLS and SASL) costs seconds of CPU the service would otherwise be measured with.
                max_idle = 3600s

                # A submission server: STARTTLS, then AUTH, then mail from authenticated users only.
                smtpd_tls_security_level = may
                smtpd_tls_cert_file = %s
                smtpd_tls_key_file = %s
                smtpd_tls_auth_only = yes
                smtpd_sasl_auth_enable = yes
                smtpd_sasl_type = cyrus
                smtpd_sasl_path = smtpd
                smtpd_sasl_local_domain = $myhostname
                smtpd_relay_restrictions = permit_sasl_authenticated, reject
                smtpd_recipient_restrictions = permit_sasl_authenticated, reject

                # A marked subject is logged with the message's queue ID (see markedDeliveries()).
                header_checks = regexp:%s
                """.formatted(queueDirectory, dataDirectory, configDirectory.resolve(LOG_FILE), configDirectory,
                HOSTNAME, PROCESS_LIMIT, certificates.resolve(TestCertificates.SERVER_CERTIFICATE_FILE),
                certificates.resolve(TestCertificates.SERVER_KEY_FILE), configDirectory.resolve(HEADER_CHECKS_FILE));
    }

    /** The daemons a submission server needs, none chrooted; no pickup, local or smtp client. */
    private static String masterCf(int port) {
        return """
                # service type private unpriv chroot wakeup maxproc command
                127.0.0.1:%d inet n - n - - smtpd
                cleanup unix n - n - 0 cleanup
                qmgr unix n - n 300 1 qmgr
                tlsmgr unix - - n 1000? 1 tlsmgr
                rewrite unix - - n - - trivial-rewrite
                bounce unix - - n - 0 bounce
                defer unix - - n - 0 bounce
                trace unix - - n - 0 bounce
                verify unix - - n - 1 verify
                flush unix n - n 1000? 0 flush
                proxymap unix - - n - - proxymap
                anvil unix - - n - 1 anvil
                scache unix - - n - 1 scache
                discard unix - - n - - discard
                postlog unix-dgram n - n - 1 postlogd
                """.formatted(port);
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
        for (String file : List.of(LOG_FILE, "master.out")) {
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

    /**
     * Reads a growing log, only what was appended since the last read, and follows the marked messages in it: from
     * the queue ID their subject was logged with to that queue ID's removal. (Postfix may give a later message a queue
     * ID again once the first is removed: the log's order tells them apart.)
     */
    private static final class MarkedMessages {

        private final Path file;
        private final StringBuilder partialLine = new StringBuilder();
        /** The marker of each message in the queue that has one, by queue ID. */
        private final Map<String, Long> queued = new HashMap<>();
        private final Map<Long, Integer> delivered = new HashMap<>();
        private long offset;

        MarkedMessages(Path file) {
            this.file = file;
        }

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
}
