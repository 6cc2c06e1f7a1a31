package dev.mailservice.bootstrap.distribution;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.testkit.RawHttp;
import dev.mailservice.testkit.ServiceProcess;
import dev.mailservice.testkit.Tokens;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar at the heap it is documented to run with, hit by 32 sends of the largest
 * allowed body at once, each client doing as the answers ask (trying again after a 503's
 * {@code Retry-After}): the service must not run out of memory, must refuse what it cannot hold
 * with 503 and {@code Retry-After} before the body is sent, and must deliver every send once. The
 * same for 32 chunked bodies at once, each one chunk near the server's cap.
 */
class LargeSendsAtDeployedHeapIT {

    private static final int CONCURRENT_SENDS = 32;
    private static final int BODY_BYTES = 10 * 1024 * 1024;
    /** A guard against a service that never takes a body, not a speed target. */
    private static final Duration LONGEST_WAIT = Duration.ofMinutes(5);

    @RegisterExtension
    static final GreenMailExtension SMTP_SERVER = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    @TempDir
    Path directory;

    /** What one client saw: how many refusals before its send went through, and each refusal's bounds kept. */
    private record Outcome(int status, int refusals, String refusal) {}

    @Test
    void thirtyTwoConcurrentTenMebibyteSendsNeverExhaustTheHeap() throws Exception {
        byte[] body = RawHttp.sendBodyOf(BODY_BYTES);
        String token = Tokens.scoped(SCOPED_SECRET, "mail:send");

        try (ServiceProcess service = launchAsDeployed()) {
            int port = service.awaitReadyPort();
            List<Outcome> outcomes = atOnce(() -> sendUntilTaken(port, token, body));

            String output = String.join("\n", service.output());
            assertFalse(output.contains("OutOfMemoryError"), output);
            for (Outcome outcome : outcomes) {
                assertEquals(200, outcome.status(), outcome.toString());
                assertEquals(null, outcome.refusal(), outcome.toString());
            }
            assertTrue(outcomes.stream().anyMatch(outcome -> outcome.refusals() > 0),
                    "no send was refused: the test did not reach the memory budget " + outcomes);
            assertEquals(CONCURRENT_SENDS, SMTP_SERVER.getReceivedMessages().length, "a send was not delivered once");
        }
    }

    /**
     * A body sent chunked, as one chunk of nearly the server's cap, to a route whose limit is 64
     * KiB, by 32 admins at once: the server reads a chunk whole before the route's limit can count
     * it, so the memory budget must reckon with the whole chunk. Each gets 413 or 503 (or its
     * connection closed under its body), and the service stays up.
     */
    @Test
    void thirtyTwoConcurrentChunkedBodiesOfOneLargeChunkNeverExhaustTheHeap() throws Exception {
        int chunkBytes = 15 * 1024 * 1024;
        byte[] chunk = new byte[chunkBytes];
        Arrays.fill(chunk, (byte) ' ');
        String headers = "POST /api/v1/configurationManager/smtpConfig HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + Tokens.user(USER_SECRET, "admin") + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunkBytes) + "\r\n";

        try (ServiceProcess service = launchAsDeployed()) {
            int port = service.awaitReadyPort();
            List<Integer> statuses = atOnce(() -> {
                try (RawHttp client = new RawHttp(port)) {
                    client.send(headers).send(chunk).send("\r\n0\r\n\r\n");
                    return client.answer().status();
                } catch (IOException closedUnderTheBody) {
                    return 0;
                }
            });

            String output = String.join("\n", service.output());
            assertFalse(output.contains("OutOfMemoryError"), output);
            assertTrue(service.isAlive(), output);
            assertTrue(statuses.stream().allMatch(status -> status == 413 || status == 503 || status == 0), statuses.toString());
            assertTrue(statuses.contains(413), "no chunk was read to the route's limit: " + statuses);
            assertStillAnswers(port);
        }
    }

    /**
     * A client that opens connection after connection and sends nothing: each holds some heap while
     * the server waits for its request line, and thousands ran the service out of memory within
     * seconds. Those over the limit wait to be accepted; the service stays up, and answers once
     * they are gone.
     */
    @Test
    void thousandsOfSilentConnectionsNeverExhaustTheHeap() throws Exception {
        try (ServiceProcess service = launchAsDeployed()) {
            int port = service.awaitReadyPort();
            List<Socket> silent = new ArrayList<>();
            int refusedInARow = 0;
            try {
                while (silent.size() < 20_000 && refusedInARow < 5) {
                    Socket socket = new Socket();
                    try {
                        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                        silent.add(socket);
                        refusedInARow = 0;
                    } catch (IOException notTakenNow) {
                        socket.close();
                        refusedInARow++;
                    }
                }
                Thread.sleep(3_000);

                String output = String.join("\n", service.output());
                assertTrue(service.isAlive(), output);
                assertFalse(output.contains("OutOfMemoryError"), output);
                // Connections stopped being taken (the limit and the backlog behind it full), rather than the
                // test giving up first.
                assertEquals(5, refusedInARow, "the test did not reach the limit: " + silent.size() + " opened");
            } finally {
                for (Socket socket : silent) {
                    socket.close();
                }
            }
            assertStillAnswers(port);
        }
    }

    /** Asks the service for its status, as PipesHub does: it must still answer. */
    private static void assertStillAnswers(int port) throws IOException {
        try (RawHttp client = new RawHttp(port)) {
            client.send("GET /api/v1/mail/smtpConfig HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + Tokens.scoped(SCOPED_SECRET, "fetch:config") + "\r\n\r\n");
            assertEquals(200, client.answer().status(), "the service no longer answers");
        }
    }

    /** The packaged jar as deployed, on a file naming the test's SMTP server. */
    private ServiceProcess launchAsDeployed() throws IOException {
        Path config = directory.resolve("smtp.json");
        Files.writeString(config, "{\"host\": \"127.0.0.1\", \"port\": " + SMTP_SERVER.getSmtp().getPort()
                + ", \"fromEmail\": \"noreply@example.com\"}");
        return ServiceProcess.launchJarAsDeployed(directory, Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET,
                "JWT_SECRET", USER_SECRET, "SMTP_CONFIG_FILE", config.toString(), "PORT", "0"),
                Path.of(System.getProperty("service.jar")));
    }

    /** What {@code client} gives, from {@link #CONCURRENT_SENDS} of them started at once. */
    private static <T> List<T> atOnce(Callable<T> client) throws Exception {
        List<T> results = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> started = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_SENDS; i++) {
                started.add(clients.submit(client));
            }
            for (Future<T> each : started) {
                results.add(each.get());
            }
        }
        return results;
    }

    /**
     * One client as curl sends a large body (headers with {@code Expect: 100-continue}, the body
     * once asked for), trying again after {@code Retry-After} while it is refused for load.
     *
     * @return the final status and the refusals on the way; {@code refusal} describes the first
     *         refusal that broke the rules (no {@code Retry-After}, or the body asked for), if any
     */
    private static Outcome sendUntilTaken(int port, String token, byte[] body) throws Exception {
        long deadline = System.nanoTime() + LONGEST_WAIT.toNanos();
        int refusals = 0;
        for (; System.nanoTime() < deadline; refusals++) {
            try (RawHttp client = new RawHttp(port)) {
                client.send("POST /api/v1/mail/emails/sendEmail HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + token + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                        + body.length + "\r\n\r\n");
                RawHttp.Answer answer = client.answer();
                if (answer.status() == 100) {
                    client.send(body);
                    return new Outcome(client.answer().status(), refusals, null);
                }
                if (answer.status() != 503 || answer.header("Retry-After") == null) {
                    return new Outcome(answer.status(), refusals, "refused without Retry-After: " + answer);
                }
                TimeUnit.SECONDS.sleep(Long.parseLong(answer.header("Retry-After")));
            }
        }
        return new Outcome(503, refusals, null);
    }
}
