package dev.mailservice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * A real Redis ({@code redis-server}, Debian's) for tests: a process of its own on a free loopback
 * port, with its data and log in a temporary folder. Register it with
 * {@code @RegisterExtension static final RedisServer REDIS = RedisServer.plain()...}: it starts
 * before the class's tests and is stopped after them. Optionally with a password for the default
 * user, an ACL user, and a TLS port whose certificate is signed by an authority made for the run
 * ({@link #caFile()}). It can be stopped and started again on the same port and data; its data is
 * saved when it stops. Outside JUnit (the benchmark), call {@link #start()} and {@link #close()}.
 */
public final class RedisServer extends TestServer {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private Optional<String> password = Optional.empty();
    private final List<String> aclUsers = new ArrayList<>();
    private boolean tls;
    private Path directory;
    private int port;
    private int tlsPort;
    private Process process;

    private RedisServer() {}

    /** Redis with no password, no TLS. */
    public static RedisServer plain() {
        return new RedisServer();
    }

    /** Sets {@code requirepass}: the default user's password. */
    public RedisServer withPassword(String requirepass) {
        this.password = Optional.of(requirepass);
        return this;
    }

    /** Adds an ACL user that may run every command on every key and channel. */
    public RedisServer withAclUser(String user, String userPassword) {
        return withAclUser(user, userPassword, "~* &* +@all");
    }

    /** Adds an ACL user with only {@code rules}, in ACL SETUSER's words, e.g. {@code ~app:* +get}. */
    public RedisServer withAclUser(String user, String userPassword, String rules) {
        aclUsers.add("user " + user + " on >" + userPassword + " " + rules);
        return this;
    }

    /** Opens a TLS port too, with a certificate for 127.0.0.1 and localhost signed by {@link #caFile()}. */
    public RedisServer withTls() {
        this.tls = true;
        return this;
    }

    /** Picks the ports, writes the configuration (and certificates), starts Redis and waits until it answers. */
    @Override
    public void start() throws Exception {
        Path redis = ExternalTools.require("redis-server");
        directory = Files.createTempDirectory("redis-test-");
        port = FreePorts.pick();
        if (tls) {
            tlsPort = FreePorts.pick();
            TestCertificates.create(directory);
        }
        launch(redis, port);
    }

    /** Starts Redis again on its port and data, after {@link #stop()}, and waits until it answers. */
    public void restart() throws Exception {
        launch(ExternalTools.require("redis-server"), port);
    }

    /**
     * Freezes Redis (SIGSTOP): its connections stay open, the kernel still accepts new ones, and
     * nothing is answered until {@link #resume()}, as with a host that went silent.
     */
    public void pause() throws IOException, InterruptedException {
        ExternalTools.signal(process, "-STOP");
    }

    /** Lets a {@linkplain #pause() paused} Redis run on (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        ExternalTools.signal(process, "-CONT");
    }


    /** Stops Redis (SIGTERM: it saves its data and exits) and waits until it is gone. */
    public void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.toHandle().destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * While stopped, changes the data: runs Redis on another port with the same data, lets
     * {@code change} write there, and stops it again (saving). Clients of {@link #port()} never
     * see it running: when it is {@linkplain #restart() restarted} the data has changed under them.
     */
    public void changeWhileStopped(Consumer<RedisTestClient> change) throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("stop the server first");
        }
        int elsewhere = FreePorts.pick();
        launch(ExternalTools.require("redis-server"), elsewhere);
        try (RedisTestClient client = new RedisTestClient("127.0.0.1", elsewhere, password, 0)) {
            change.accept(client);
        }
        stop();
    }

    /** Stops Redis and deletes its data. */
    @Override
    public void close() throws Exception {
        stop();
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    /** The plain (non-TLS) port. */
    public int port() {
        return port;
    }

    /** The TLS port; only with {@link #withTls()}. */
    public int tlsPort() {
        if (!tls) {
            throw new IllegalStateException("this server has no TLS port");
        }
        return tlsPort;
    }

    /** The PEM file of the authority that signed the TLS certificate; only with {@link #withTls()}. */
    public Path caFile() {
        tlsPort();
        return directory.resolve(TestCertificates.CA_FILE);
    }

    /** A TLS context that trusts {@link #caFile()} alone, as a client given only that authority would. */
    public SSLContext trustingCaOnly() throws Exception {
        return TestCertificates.trustingOnly(caFile());
    }

    /** A client of the plain port and database 0, as the default user (with the password, if there is one). */
    public RedisTestClient client() {
        return client(0);
    }

    /** As {@link #client()}, on logical database {@code database}. */
    public RedisTestClient client(int database) {
        return new RedisTestClient(host(), port, password, database);
    }

    private void launch(Path redis, int onPort) throws Exception {
        Path configuration = directory.resolve("redis-" + onPort + ".conf");
        List<String> lines = new ArrayList<>(List.of(
                "bind 127.0.0.1",
                "port " + onPort,
                "dir " + directory,
                "dbfilename dump.rdb",
                "save 3600 1", // so that stopping saves the data, and a restart finds it
                "appendonly no",
                "daemonize no",
                "protected-mode no",
                "logfile " + directory.resolve("redis.log")));
        password.ifPresent(value -> lines.add("requirepass " + value));
        lines.addAll(aclUsers);
        if (tls && onPort == port) {
            lines.addAll(List.of("tls-port " + tlsPort,
                    "tls-cert-file " + directory.resolve(TestCertificates.SERVER_CERTIFICATE_FILE),
                    "tls-key-file " + directory.resolve(TestCertificates.SERVER_KEY_FILE),
                    "tls-ca-cert-file " + directory.resolve(TestCertificates.CA_FILE),
                    "tls-auth-clients no"));
        }
        Files.write(configuration, lines);
        process = new ProcessBuilder(redis.toString(), configuration.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis-stdout.log").toFile()))
                .start();
        awaitAnswer(onPort);
    }

    private void awaitAnswer(int onPort) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + log());
            }
            try (RedisTestClient client = new RedisTestClient(host(), onPort, password, 0)) {
                if (client.ping()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not listening yet, or still loading its data
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("redis-server did not answer within " + START_TIMEOUT + ": " + log());
    }

    private String log() {
        try {
            Path log = directory.resolve("redis.log");
            if (!Files.exists(log)) {
                return Files.readString(directory.resolve("redis-stdout.log"));
            }
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
