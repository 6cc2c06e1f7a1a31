package dev.mailservice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real etcd ({@code /usr/bin/etcd}, Debian's etcd-server) for tests: one member or a cluster of
 * three, each a process of its own on free loopback ports with a data directory in a temporary
 * folder. Register it with {@code @RegisterExtension static final EtcdCluster ETCD = ...}: it
 * starts before the class's tests and is stopped, by PID, after them. Single members can be
 * stopped and started again to test faults. Outside JUnit (the benchmark), call {@link #start()}
 * and {@link #close()}.
 */
public final class EtcdCluster extends TestServer {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final int size;
    private final List<Member> members = new ArrayList<>();
    private boolean tls;
    private Duration electionTimeout;
    private Path directory;

    private EtcdCluster(int size) {
        this.size = size;
    }

    /** One member. */
    public static EtcdCluster singleMember() {
        return new EtcdCluster(1);
    }

    /** Three members: the smallest cluster that survives losing one. */
    public static EtcdCluster threeMembers() {
        return new EtcdCluster(3);
    }

    /**
     * Serves clients over TLS ({@code https} endpoints), with a certificate for 127.0.0.1 and
     * localhost signed by {@link #caFile()}.
     */
    public EtcdCluster withTls() {
        this.tls = true;
        return this;
    }

    /**
     * Members wait {@code timeout} without a leader before they elect one, and a leader that long
     * without its quorum steps down (etcd's default is one second): for tests that freeze members
     * for longer and want the leader kept.
     */
    public EtcdCluster withElectionTimeout(Duration timeout) {
        this.electionTimeout = timeout;
        return this;
    }

    /** The PEM file of the authority that signed the client certificate; only with {@link #withTls()}. */
    public Path caFile() {
        if (!tls) {
            throw new IllegalStateException("this cluster does not serve TLS");
        }
        return directory.resolve(TestCertificates.CA_FILE);
    }

    private static final class Member {

        final String name;
        final String clientUrl;
        final String peerUrl;
        final Path dataDirectory;
        final Path log;
        Process process;

        Member(String name, int clientPort, int peerPort, Path directory, boolean tls) {
            this.name = name;
            this.clientUrl = (tls ? "https" : "http") + "://127.0.0.1:" + clientPort;
            this.peerUrl = "http://127.0.0.1:" + peerPort;
            this.dataDirectory = directory.resolve(name);
            this.log = directory.resolve(name + ".log");
        }

        boolean isRunning() {
            return process != null && process.isAlive();
        }
    }

    /** Starts every member and waits until the cluster is healthy. */
    @Override
    public void start() throws Exception {
        Path etcd = ExternalTools.require("etcd");
        directory = Files.createTempDirectory("etcd-test-");
        if (tls) {
            TestCertificates.create(directory);
        }
        for (int i = 0; i < size; i++) {
            String name = "member" + i;
            members.add(new Member(name, FreePorts.pick(), FreePorts.pick(), directory, tls));
        }
        form(etcd);
    }

    /** Starts every member as a new cluster, and waits until it is healthy. */
    private void form(Path etcd) throws Exception {
        String initialCluster = members.stream().map(member -> member.name + "=" + member.peerUrl)
                .collect(Collectors.joining(","));
        for (Member member : members) {
            launch(etcd, member, initialCluster);
        }
        for (int i = 0; i < size; i++) {
            awaitHealthy(i);
        }
    }

    /** Stops every member and deletes their data. */
    @Override
    public void close() throws Exception {
        stopAll();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** The client URL of every member, e.g. {@code http://127.0.0.1:41234}. */
    public List<String> endpoints() {
        return members.stream().map(member -> member.clientUrl).toList();
    }

    /** The endpoints as {@code ETCD_ENDPOINTS} expects them: comma-separated. */
    public String endpointList() {
        return String.join(",", endpoints());
    }

    /** Stops member {@code index} (SIGTERM to its PID, SIGKILL if it lingers) and waits until it is gone. */
    public void stop(int index) throws InterruptedException {
        Member member = members.get(index);
        if (!member.isRunning()) {
            return;
        }
        Process process = member.process;
        process.toHandle().destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Stops every member. */
    public void stopAll() throws InterruptedException {
        for (int i = 0; i < members.size(); i++) {
            stop(i);
        }
    }

    /**
     * Freezes member {@code index} (SIGSTOP): its connections stay open and nothing it is sent is
     * answered or acted on until {@link #resume}, as with a host that went silent.
     */
    public void pause(int index) throws IOException, InterruptedException {
        ExternalTools.signal(members.get(index).process, "-STOP");
    }

    /** Lets a {@linkplain #pause paused} member run on (SIGCONT). */
    public void resume(int index) throws IOException, InterruptedException {
        ExternalTools.signal(members.get(index).process, "-CONT");
    }

    /** The index of the member that leads the cluster now, as the members' own status says. */
    public int leaderIndex() throws Exception {
        Pattern memberId = Pattern.compile("\"member_id\":\"(\\d+)\"");
        Pattern leader = Pattern.compile("\"leader\":\"(\\d+)\"");
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
        if (tls) {
            builder.sslContext(TestCertificates.trustingOnly(caFile()));
        }
        try (HttpClient client = builder.build()) {
            for (int i = 0; i < size; i++) {
                String status = client.send(HttpRequest.newBuilder(URI.create(members.get(i).clientUrl
                                + "/v3/maintenance/status")).timeout(Duration.ofSeconds(2))
                                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher self = memberId.matcher(status);
                Matcher led = leader.matcher(status);
                if (self.find() && led.find() && self.group(1).equals(led.group(1))) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("no member says it leads the cluster");
    }

    /** Starts member {@code index} again on its ports and data, and waits until it is healthy. */
    public void start(int index) throws Exception {
        launch(ExternalTools.require("etcd"), members.get(index), null);
        awaitHealthy(index);
    }

    /**
     * Stops every member, deletes their data, and forms the cluster again on the same ports, as an
     * etcd recreated without its volume (or restored from an older snapshot) is: its revisions start
     * again from 1, below those its clients have seen.
     */
    public void recreate() throws Exception {
        stopAll();
        for (Member member : members) {
            try (Stream<Path> files = Files.walk(member.dataDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        form(ExternalTools.require("etcd"));
    }

    /** Starts every stopped member and waits until the cluster is healthy. */
    public void startAll() throws Exception {
        for (Member member : members) {
            if (!member.isRunning()) {
                launch(ExternalTools.require("etcd"), member, null);
            }
        }
        for (int i = 0; i < size; i++) {
            awaitHealthy(i);
        }
    }

    /**
     * @param initialCluster the cluster to form, or null to restart a member from its data
     *                       directory (etcd then ignores the initial-cluster settings)
     */
    private void launch(Path etcd, Member member, String initialCluster) throws IOException {
        List<String> command = new ArrayList<>(List.of(etcd.toString(),
                "--name", member.name,
                "--data-dir", member.dataDirectory.toString(),
                "--listen-client-urls", member.clientUrl,
                "--advertise-client-urls", member.clientUrl,
                "--listen-peer-urls", member.peerUrl,
                "--initial-advertise-peer-urls", member.peerUrl,
                "--logger=zap", "--log-outputs=stderr"));
        if (electionTimeout != null) {
            command.addAll(List.of("--election-timeout", Long.toString(electionTimeout.toMillis()),
                    "--heartbeat-interval", Long.toString(electionTimeout.toMillis() / 10)));
        }
        if (tls) {
            command.addAll(List.of("--cert-file", directory.resolve(TestCertificates.SERVER_CERTIFICATE_FILE).toString(),
                    "--key-file", directory.resolve(TestCertificates.SERVER_KEY_FILE).toString()));
        }
        if (initialCluster != null) {
            command.addAll(List.of("--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                    "--initial-cluster-token", "test-" + member.dataDirectory.getParent().getFileName()));
        }
        member.process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(member.log.toFile()))
                .start();
    }

    private void awaitHealthy(int index) throws Exception {
        Member member = members.get(index);
        // A first election takes an election timeout or two (or more, if votes split): beside the start's own limit.
        Duration limit = electionTimeout == null ? START_TIMEOUT : START_TIMEOUT.plus(electionTimeout.multipliedBy(4));
        long deadline = System.nanoTime() + limit.toNanos();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
        if (tls) {
            builder.sslContext(TestCertificates.trustingOnly(caFile()));
        }
        try (HttpClient client = builder.build()) {
            while (System.nanoTime() < deadline) {
                if (!member.isRunning()) {
                    throw new IllegalStateException("etcd " + member.name + " exited: " + tail(member.log));
                }
                try {
                    HttpResponse<String> health = client.send(
                            HttpRequest.newBuilder(URI.create(member.clientUrl + "/health"))
                                    .timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (health.statusCode() == 200 && health.body().contains("\"health\":\"true\"")) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("etcd " + member.name + " was not healthy within " + limit + ": "
                + tail(member.log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
