package dev.mailservice.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a free loopback port that forwards to one target and delays every byte as a network between
 * the two would: half the round trip on the way there, half on the way back. It stands in for the distance to a
 * mail provider. (The kernel's netem would add it too, but needs tc, network namespaces and privileges.)
 *
 * <p>Each direction is a delay line, not a pause: a reader stamps every chunk it reads with the time it is due
 * and queues it, a writer sends each chunk when it is due, in order. Bytes in flight do not hold back the bytes
 * behind them, so the delay adds latency without capping throughput, and connections do not wait for each other.
 *
 * <p>As with TCP's handshake, the target sees a new connection one and a half round trips after the client's
 * connect, so the server's greeting reaches the client two round trips after it began to connect. An end of
 * stream on one side reaches the other side, delayed like the data, as a shutdown of output (a half-close).
 */
final class LatencyProxy implements AutoCloseable {

    private static final int BACKLOG = 1024;
    private static final int CHUNK_BYTES = 16 * 1024;
    /** Chunks in flight per direction before the reader stops reading, as a full TCP window would. */
    private static final int CHUNKS_IN_FLIGHT = 256;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final InetSocketAddress target;
    private final long oneWayNanos;
    private final ServerSocket listener;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private LatencyProxy(InetSocketAddress target, Duration roundTrip) throws IOException {
        this.target = target;
        this.oneWayNanos = roundTrip.toNanos() / 2;
        this.listener = new ServerSocket(0, BACKLOG, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("latency-proxy-accept-" + listener.getLocalPort()).start(this::acceptConnections);
    }

    /** Listens on a free loopback port and forwards to {@code targetHost:targetPort} with the given round trip. */
    static LatencyProxy start(String targetHost, int targetPort, Duration roundTrip) throws IOException {
        if (roundTrip.isNegative()) {
            throw new IllegalArgumentException("a round trip cannot be negative: " + roundTrip);
        }
        return new LatencyProxy(new InetSocketAddress(targetHost, targetPort), roundTrip);
    }

    /**
     * Runs the proxy as a process of its own, as {@link OwnProcess} runs it: a network must not
     * pause while the load generator collects its garbage or keeps both cores busy.
     * Arguments: {@code <target host> <target port> <round trip in ms>}; prints
     * {@code listening on <port>}, then forwards until its standard input closes.
     */
    public static void main(String[] args) throws Exception {
        try (LatencyProxy proxy = start(args[0], Integer.parseInt(args[1]), Duration.ofMillis(Long.parseLong(args[2])))) {
            System.out.println(OwnProcess.READY + proxy.port());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** A proxy in a process of its own (see {@link #main}), stopped by {@link #close()}. */
    record OwnProcess(Process process, int port) implements AutoCloseable {

        /** How long the proxy's JVM may take to start and print its port. */
        private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
        private static final String READY = "listening on ";

        /** Starts the proxy and waits for its port; the process is destroyed if that fails in any way. */
        static OwnProcess start(String targetHost, int targetPort, Duration roundTrip)
                throws IOException, InterruptedException {
            Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), LatencyProxy.class.getName(),
                    targetHost, Integer.toString(targetPort), Long.toString(roundTrip.toMillis()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try {
                return new OwnProcess(process, awaitPort(process, targetHost + ":" + targetPort));
            } catch (IOException | InterruptedException | RuntimeException | Error failure) {
                process.destroyForcibly();
                throw failure;
            }
        }

        /** The port of the proxy's first line, {@code listening on <port>}, read within {@link #START_TIMEOUT}. */
        private static int awaitPort(Process process, String target) throws IOException, InterruptedException {
            CompletableFuture<String> firstLine = new CompletableFuture<>();
            // A read cannot be given a timeout: a thread of its own reads, and ends when the process is destroyed.
            Thread.ofVirtual().name("latency-proxy-start").start(() -> {
                try {
                    firstLine.complete(new BufferedReader(new InputStreamReader(process.getInputStream(),
                            StandardCharsets.US_ASCII)).readLine());
                } catch (IOException | RuntimeException e) {
                    firstLine.completeExceptionally(e);
                }
            });
            String ready;
            try {
                ready = firstLine.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("the latency proxy to " + target + " did not print its port (\""
                        + READY + "<port>\") within " + START_TIMEOUT.toSeconds() + " s");
            } catch (ExecutionException e) {
                throw new IOException("could not read the port of the latency proxy to " + target, e.getCause());
            }
            if (ready == null || !ready.startsWith(READY)) {
                throw new IllegalStateException("the latency proxy to " + target + " did not start: it printed "
                        + (ready == null ? "nothing" : "\"" + ready + "\"") + " where \"" + READY
                        + "<port>\" was awaited");
            }
            try {
                return Integer.parseInt(ready.substring(READY.length()).strip());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("the latency proxy to " + target + " printed no port: \"" + ready
                        + "\"");
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    /** The loopback port clients connect to instead of the target's. */
    int port() {
        return listener.getLocalPort();
    }

    /** Stops listening and cuts every connection, whatever it still had in flight. */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            try {
                listener.close();
            } finally {
                connections.forEach(Connection::close);
            }
        }
    }

    private void acceptConnections() {
        while (!closed.get()) {
            Socket client;
            try {
                client = listener.accept();
                client.setTcpNoDelay(true);
            } catch (IOException e) {
                if (!closed.get()) {
                    System.err.println("The latency proxy to " + target + " stopped accepting: " + e);
                }
                return;
            }
            Connection connection = new Connection(client);
            connections.add(connection);
            if (closed.get()) {
                connection.close(); // close() may have run between accept and add
            } else {
                connection.start();
            }
        }
    }

    private static void sleepUntil(long dueNanos) throws InterruptedException {
        long remaining;
        while ((remaining = dueNanos - System.nanoTime()) > 0) {
            Thread.sleep(Duration.ofNanos(remaining));
        }
    }

    /** A task of a connection's threads; failing, it cuts the connection, as a reset would. */
    private interface ConnectionTask {
        void run() throws IOException, InterruptedException;
    }

    /** One client, its connection to the target, and a delay line each way. */
    private final class Connection {

        private final Socket client;
        private final Socket upstream = new Socket();
        private final long acceptedNanos = System.nanoTime();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final AtomicInteger directionsFinished = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();

        Connection(Socket client) {
            this.client = client;
        }

        void start() {
            DelayLine toTarget = new DelayLine();
            DelayLine toClient = new DelayLine();
            // The client's bytes are stamped from the moment they are sent, even before the target is connected.
            spawn("read-client", () -> toTarget.fill(client.getInputStream()));
            spawn("write-target", () -> {
                upstream.setTcpNoDelay(true);
                sleepUntil(acceptedNanos + 3 * oneWayNanos); // SYN, SYN-ACK, ACK
                upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
                spawn("read-target", () -> toClient.fill(upstream.getInputStream()));
                spawn("write-client", () -> {
                    toClient.drain(client);
                    finish();
                });
                toTarget.drain(upstream);
                finish();
            });
        }

        private void spawn(String role, ConnectionTask task) {
            Thread thread = Thread.ofVirtual().name("latency-proxy-" + role).unstarted(() -> {
                try {
                    task.run();
                } catch (IOException | InterruptedException e) {
                    close();
                }
            });
            threads.add(thread);
            if (closed.get()) {
                return; // close() may have missed this thread
            }
            thread.start();
        }

        /** Once both sides have ended their streams, and the ends have been passed on, the connection is done. */
        private void finish() {
            if (directionsFinished.incrementAndGet() == 2) {
                close();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                closeQuietly(client);
                closeQuietly(upstream);
                threads.forEach(Thread::interrupt);
                connections.remove(this);
            }
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
        }
    }

    /** One direction of a connection: chunks and their end of stream, each stamped with the time it is due. */
    private final class DelayLine {

        private static final byte[] END_OF_STREAM = new byte[0];

        private record Chunk(byte[] bytes, long dueNanos) {}

        private final BlockingQueue<Chunk> inFlight = new ArrayBlockingQueue<>(CHUNKS_IN_FLIGHT);

        /** Reads until the end of the stream, queueing what it reads with the time it is due at the other end. */
        void fill(InputStream in) throws IOException, InterruptedException {
            byte[] buffer = new byte[CHUNK_BYTES];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (read > 0) {
                    inFlight.put(new Chunk(Arrays.copyOf(buffer, read), System.nanoTime() + oneWayNanos));
                }
            }
            inFlight.put(new Chunk(END_OF_STREAM, System.nanoTime() + oneWayNanos));
        }

        /** Writes each chunk to {@code destination} when it is due, then shuts its output down. */
        void drain(Socket destination) throws IOException, InterruptedException {
            OutputStream out = destination.getOutputStream();
            while (true) {
                Chunk chunk = inFlight.take();
                sleepUntil(chunk.dueNanos());
                if (chunk.bytes() == END_OF_STREAM) {
                    try {
                        destination.shutdownOutput();
                    } catch (SocketException alreadyClosed) {
                        // The peer is gone; the connection is over either way.
                    }
                    return;
                }
                out.write(chunk.bytes());
            }
        }
    }
}
