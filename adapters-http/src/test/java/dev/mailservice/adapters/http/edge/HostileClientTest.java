package dev.mailservice.adapters.http.edge;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mailservice.adapters.http.HttpAdapterTest;
import dev.mailservice.adapters.http.HttpServer;
import dev.mailservice.adapters.http.observe.Observability;
import dev.mailservice.adapters.http.observe.RequestIds;
import dev.mailservice.adapters.http.routes.ConsoleRoutes;
import dev.mailservice.adapters.http.routes.MailRoutes;
import dev.mailservice.testkit.LogCapture;
import dev.mailservice.testkit.RawHttp;
import dev.mailservice.testkit.Tokens;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests a hostile client or a broken proxy sends, over raw sockets: each gets a clear answer
 * in the contract's shape (or the right protocol behaviour), no connection is held by a client
 * that stopped, none is reused when its framing is in doubt, and nothing logs a stack trace.
 */
class HostileClientTest {

    /** The use cases behind the routes. */
    private static final HttpAdapterTest.UseCases useCases = new HttpAdapterTest.UseCases();
    /** Short, so that tests of stalled clients take a second. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(1000);
    private static final BodyMemoryBudget BUDGET = HttpAdapterTest.BUDGET;
    /**
     * For the tests of a body dropped after its answer, whose steps must each come well within the
     * client deadline (which also bounds the drop): long enough that a test thread held up on a
     * loaded machine is not taken for a client that went silent.
     */
    private static final Duration PATIENT_IDLE_TIMEOUT = Duration.ofSeconds(5);
    /** How long a connection that must stay open for the rest of a body is watched. */
    private static final Duration STILL_OPEN_FOR = Duration.ofMillis(100);
    private static HttpServer server;
    private static HttpServer patientServer;

    /**
     * The server the service runs, started as the service starts it: what is tested here is the
     * server's own handling of connections, which a test harness configuring its own would change.
     */
    @BeforeAll
    static void startServers() {
        // The health and metrics endpoints on a port of their own, as production runs them: that
        // port meets the same clients.
        server = startServer(IDLE_TIMEOUT, OptionalInt.of(0));
        patientServer = startServer(PATIENT_IDLE_TIMEOUT, OptionalInt.empty());
    }

    private static HttpServer startServer(Duration idleTimeout, OptionalInt observePort) {
        return new HttpServer(0, idleTimeout, HttpAdapterTest.MAX_CONNECTIONS, Duration.ofSeconds(20), BUDGET,
                useCases.mailRoutes(), useCases.configManagerRoutes(), Optional.of(new ConsoleRoutes()),
                new Observability(() -> useCases.health, false, observePort)).start();
    }

    @AfterAll
    static void stopServers() {
        server.stop(Duration.ZERO);
        patientServer.stop(Duration.ZERO);
    }

    @BeforeEach
    void resetUseCases() {
        useCases.reset();
    }

    private static int port() {
        return server.port();
    }

    /**
     * The two ports a client reaches: the API's, and the health and metrics endpoints' own, which is
     * guarded and answers errors as the API's does.
     */
    enum Listener {
        API, OBSERVE;

        int port() {
            return this == API ? server.port() : server.observePort();
        }
    }

    /** Each of {@code requests} on each listener. */
    private static Stream<Arguments> onEachListener(String... requests) {
        return Stream.of(requests).flatMap(request -> Stream.of(Listener.values())
                .map(listener -> Arguments.of(request, listener)));
    }

    static Stream<Arguments> illegalMethods() {
        return onEachListener("(GET) ", "GET\u0000 ", "G\tET ");
    }

    static Stream<Arguments> headersCutShort() {
        return onEachListener("", "GET /api/v1/ma", "GET " + STATUS + " HTTP/1.1\r\nHost: localhost\r\nX-Half: ");
    }

    private static void assertStatus(int status, String token) throws IOException {
        try (RawHttp client = new RawHttp(port())) {
            client.send(get(STATUS, "Authorization: Bearer " + token + "\r\n"));
            RawHttp.Answer answer = client.answer();
            assertEquals(status, answer.status(), answer.body());
        }
    }

    private static final String STATUS = "/api/v1/mail/smtpConfig";
    private static final String RELOAD = "/api/v1/mail/updateSmtpConfig";
    private static final String SEND = "/api/v1/mail/emails/sendEmail";
    /** For a connection a client left silent: beyond the idle timeout, with room for a slow machine. */
    private static final Duration CLOSE_EXPECTED_WITHIN = Duration.ofSeconds(10);
    /** For a connection closed with its answer: well within the idle timeout, so that only the refusal can close it. */
    private static final Duration CLOSED_WITH_THE_ANSWER = IDLE_TIMEOUT.dividedBy(2);
    /** A valid send whose body stops after 10 of the 1000 bytes it announces. */
    private static final String SEND_CUT_SHORT = "POST " + SEND + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + Tokens.scoped(SCOPED_SECRET, "mail:send")
            + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"emailTem";

    private LogCapture log;

    @BeforeEach
    void captureTheLog() {
        log = LogCapture.all();
    }

    @AfterEach
    void nothingWasLoggedAsAFailure() {
        log.close();
        assertEquals(List.of(), log.records().stream().filter(record -> record.getLevel().intValue() >= Level.WARNING.intValue())
                .map(record -> record.getLoggerName() + ": " + record.getMessage()).toList());
    }

    private static String fetchConfig() {
        return Tokens.scoped(SCOPED_SECRET, "fetch:config");
    }

    private static String get(String path, String... headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + String.join("", headers) + "\r\n";
    }

    private static void assertRefused(RawHttp.Answer answer, int status, String code, String message) {
        assertEquals(status, answer.status(), answer.body());
        assertEquals("application/json", answer.header("Content-Type"));
        assertEquals("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}", answer.body());
    }

    @ParameterizedTest
    @EnumSource(Listener.class)
    void aMalformedRequestIsA400InTheContractsShape(Listener listener) throws Exception {
        try (RawHttp client = new RawHttp(listener.port())) {
            client.send("NOT HTTP AT ALL\r\n\r\n");

            assertRefused(client.answer(), 400, "HTTP_BAD_REQUEST", "The request is not valid HTTP");
            assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER));
        }
    }

    @Test
    void onTheEndpointsOwnPortAPathNoEndpointTakesIs404InTheContractsShape() throws Exception {
        try (RawHttp client = new RawHttp(server.observePort())) {
            client.send(get("/observe/nothing"));

            assertRefused(client.answer(), 404, "HTTP_NOT_FOUND", "No route GET /observe/nothing");
        }
    }

    // Ambiguous framing: refused, and the connection is not used again (row 3 and 9).

    @ParameterizedTest
    @ValueSource(strings = {
            "Content-Length: 2\r\nContent-Length: 5\r\n",
            "Content-Length: 2, 5\r\n",
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            "Transfer-Encoding: foo\r\n",
            "Transfer-Encoding: chunked, foo\r\n",
            "Content-Length: +2\r\n",
            "Content-Length: -1\r\n",
            "Content-Length: 0x2\r\n"})
    void ambiguousFramingIs400AndTheConnectionIsClosed(String framing) throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send("POST " + RELOAD + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + fetchConfig()
                    + "\r\nContent-Type: application/json\r\n" + framing + "\r\n{}\r\n0\r\n\r\n"
                    + get(STATUS, "Authorization: Bearer " + fetchConfig() + "\r\n"));

            assertRefused(client.answer(), 400, "HTTP_BAD_REQUEST", "The request is not valid HTTP");
            assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER), "the connection stayed open");
        }
    }

    @Test
    void aTransferCodingOtherThanChunkedIs501AndSaysSo() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send("POST " + RELOAD + " HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");

            assertRefused(client.answer(), 501, "HTTP_NOT_IMPLEMENTED", "Only the chunked transfer coding is supported");
            assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER));
        }
    }

    @ParameterizedTest
    @MethodSource("illegalMethods")
    void anIllegalCharacterInTheMethodIs400WithoutAStackTrace(String method, Listener listener) throws Exception {
        try (RawHttp client = new RawHttp(listener.port())) {
            client.send(method + STATUS + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

            RawHttp.Answer answer = client.answer();
            assertEquals(400, answer.status(), answer.body());
            assertTrue(answer.body().startsWith("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\""), answer.body());
            assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER));
        }
    }

    // Stalled clients lose their connection after the idle timeout (row 7).

    @ParameterizedTest
    @MethodSource("headersCutShort")
    void aClientThatStopsBeforeTheEndOfItsHeadersIsDisconnected(String sentBeforeStopping, Listener listener)
            throws Exception {
        try (RawHttp client = new RawHttp(listener.port())) {
            client.send(sentBeforeStopping);

            assertTrue(client.closedWithin(CLOSE_EXPECTED_WITHIN), "still open with the client silent");
        }
    }

    @Test
    void aClientThatStopsInTheMiddleOfItsBodyIsDisconnectedWithoutAnAnswerOrALoggedFailure() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send(SEND_CUT_SHORT);

            assertTrue(client.closedWithin(CLOSE_EXPECTED_WITHIN), "still open with the body unfinished");
        }
        assertEquals(List.of(), useCases.sent);
    }

    @Test
    void aClientThatGoesAwayInTheMiddleOfItsBodyLeavesNoStackTrace() throws Exception {
        try (LogCapture guard = LogCapture.of(ConnectionGuard.class, Level.FINE)) {
            try (RawHttp client = new RawHttp(port())) {
                client.send(SEND_CUT_SHORT);
                Thread.sleep(200);
            }

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (guard.lines().stream().noneMatch(line -> line.contains("went away")) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(guard.lines().stream().anyMatch(line -> line.contains("went away")),
                    "the server never noticed the client had gone: " + guard.lines());
        }
        assertEquals(List.of(), useCases.sent);
    }

    @Test
    void aBodyThatTricklesSlowerThanTheLeastPaceLosesItsConnection() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send(SEND_CUT_SHORT);
            // A byte every half idle timeout: no read waits long enough to time out, but the pace is far too slow.
            boolean closed = false;
            for (int i = 0; i < 20 && !closed; i++) {
                try {
                    client.send(" ");
                } catch (IOException reset) {
                    closed = true;
                }
                closed = closed || client.closedWithin(IDLE_TIMEOUT.dividedBy(2));
            }

            assertTrue(closed, "a trickling body kept its connection");
        }
        assertEquals(List.of(), useCases.sent);
    }

    /** A request whose answer is about 2 KB (a 404 names its path), so that a few thousand fill the socket's buffers. */
    private static final String LARGE_404 = get("/no-such-route/" + "x".repeat(2000));

    static Stream<String> requestsAnsweredAgainAndAgain() {
        return Stream.of(LARGE_404, get(STATUS, "Authorization: Bearer " + fetchConfig() + "\r\n"));
    }

    /**
     * A client that sends request after request and never reads the answers: once the answers
     * fill the socket's buffers, the server's write waits on the client, and the connection is
     * closed after the idle timeout rather than held, with its thread, for as long as the client
     * likes. Seen by the client as its writes failing, without it having read a byte. Asked of an
     * answer the error handler writes (the 404) and of one a route writes.
     */
    @ParameterizedTest
    @MethodSource("requestsAnsweredAgainAndAgain")
    void aClientThatStopsReadingItsAnswersIsDisconnected(String request) throws Exception {
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket()) {
            // A small window, set before connecting: the answers fill it, and the server's buffer, sooner.
            socket.setReceiveBufferSize(1024);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        socket.getOutputStream().write(bytes);
                    }
                } catch (IOException closedByTheServer) {
                    // What the test waits for.
                }
            });

            // Filling the buffers takes the server some seconds on a slow machine; the deadline, one more.
            writer.join(Duration.ofSeconds(60));
            if (writer.isAlive()) {
                fail("the connection is still open to a client that has read nothing; the server's threads:\n"
                        + serverThreads());
            }
        }
    }

    /**
     * The stacks of the server's threads, virtual ones included (which {@link Thread#getAllStackTraces}
     * leaves out), to tell from a failure's report alone where a connection waits.
     */
    private static String serverThreads() throws IOException {
        Path dump = Files.createTempDirectory("threads").resolve("threads.txt");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        // One thread per paragraph: the name and state line, then its frames.
        return Stream.of(Files.readString(dump).split("\n\\s*\n"))
                .filter(thread -> thread.contains("io.helidon") || thread.contains("http-client-deadlines"))
                .collect(Collectors.joining("\n\n"));
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send(get(STATUS, "Authorization: Bearer " + fetchConfig() + "\r\n"));
            assertEquals(200, client.answer().status());

            assertTrue(client.closedWithin(CLOSE_EXPECTED_WITHIN));
        }
    }

    // Connection management and versions (row 10).

    @Test
    void connectionCloseClosesTheConnectionOnceAnswered() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send(get(STATUS, "Authorization: Bearer " + fetchConfig() + "\r\nConnection: close\r\n")
                    + get(STATUS, "Authorization: Bearer " + fetchConfig() + "\r\n"));

            RawHttp.Answer answer = client.answer();
            assertEquals(200, answer.status());
            assertEquals("close", answer.header("Connection"));
            assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER), "open after an answer with Connection: close");
        }
    }

    @Test
    void http10Is505SayingWhatToUse() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send("GET " + STATUS + " HTTP/1.0\r\n\r\n");

            assertRefused(client.answer(), 505, "HTTP_VERSION_NOT_SUPPORTED", "HTTP/1.0 is not supported; use HTTP/1.1");
        }
    }

    // Tokens and headers (row 14).

    @Test
    void twoAuthorizationHeadersAre400WhicheverComesFirst() throws Exception {
        for (String pair : List.of("Bearer " + fetchConfig() + "\r\nAuthorization: Bearer bogus",
                "Bearer bogus\r\nAuthorization: Bearer " + fetchConfig())) {
            try (RawHttp client = new RawHttp(port())) {
                client.send(get(STATUS, "Authorization: " + pair + "\r\n"));

                assertRefused(client.answer(), 400, "HTTP_BAD_REQUEST", "Send one Authorization header, not 2");
            }
        }
    }

    @Test
    void aSignatureInAnyButCanonicalBase64UrlIs401() throws Exception {
        String token = fetchConfig();
        int dot = token.lastIndexOf('.');
        String signature = token.substring(dot + 1);
        // 32 bytes of HS256 make 43 characters, whose last carries 2 unused bits.
        char last = signature.charAt(signature.length() - 1);
        String base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char strayBits = base64Alphabet.charAt(base64Alphabet.indexOf(last) ^ 1);
        List<String> spellings = List.of(
                token + "=",
                token.substring(0, dot + 1) + signature.substring(0, signature.length() - 1) + strayBits,
                token.substring(0, dot + 1) + signature.replace('-', '+').replace('_', '/'));
        for (String spelling : spellings) {
            if (spelling.equals(token)) {
                continue; // the signature held no '-' or '_' to respell
            }
            try (RawHttp client = new RawHttp(port())) {
                client.send(get(STATUS, "Authorization: Bearer " + spelling + "\r\n"));
                assertRefused(client.answer(), 401, "HTTP_UNAUTHORIZED", "Invalid token");
            }
        }
        assertStatus(200, token);
    }

    @ParameterizedTest
    @EnumSource(Listener.class)
    void headersOverTheLimitAre431(Listener listener) throws Exception {
        try (RawHttp client = new RawHttp(listener.port())) {
            client.send(get(STATUS, "X-Big: " + "x".repeat(27_000) + "\r\n"));

            assertRefused(client.answer(), 431, "HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE",
                    "The request's headers are larger than the limit of 16 KiB");
        }
    }

    @Test
    void aRequestLineOverTheLimitIs414() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send("GET " + STATUS + "?" + "x".repeat(5_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

            RawHttp.Answer answer = client.answer();
            assertEquals(414, answer.status(), answer.body());
            assertTrue(answer.body().startsWith("{\"error\":{\"code\":\"HTTP_URI_TOO_LONG\",\"message\":"), answer.body());
        }
    }

    // Bodies: media type, HEAD, Expect (row 17 and 5).

    @Test
    void aBodyThatIsNotDeclaredJsonIs415AfterTheTokenCheck() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send("POST " + RELOAD + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 2\r\n\r\n{}");

            assertEquals(401, client.answer().status(), "the media type was checked before the token");
        }

        for (String contentType : List.of("text/plain", "application/x-www-form-urlencoded",
                "application/json; charset=utf-16", "application/jsonx")) {
            try (RawHttp client = new RawHttp(port())) {
                client.send("POST " + RELOAD + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + fetchConfig()
                        + "\r\nContent-Type: " + contentType + "\r\nContent-Length: 2\r\n\r\n{}");

                assertRefused(client.answer(), 415, "HTTP_UNSUPPORTED_MEDIA_TYPE",
                        "A request body must be JSON: send it with Content-Type: application/json (UTF-8)");
            }
        }
        try (RawHttp client = new RawHttp(port())) {
            client.send("POST " + RELOAD + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + fetchConfig()
                    + "\r\nContent-Length: 2\r\n\r\n{}");

            assertEquals(415, client.answer().status(), "a body without a declared type");
        }
    }

    @Test
    void theReloadAsPipesHubCallsItDeclaresJsonAndSendsNoBody() throws Exception {
        for (String body : List.of("Content-Length: 0\r\n\r\n", "\r\n")) {
            try (RawHttp client = new RawHttp(port())) {
                client.send("POST " + RELOAD + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + fetchConfig()
                        + "\r\nContent-Type: application/json; charset=utf-8\r\n" + body);

                assertEquals(200, client.answer().status());
            }
        }
    }

    @Test
    void headAnswersAsGetWithoutTheBody() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send("HEAD " + STATUS + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + fetchConfig()
                    + "\r\n\r\n" + "HEAD /api/v1/nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    + get(STATUS, "Authorization: Bearer " + fetchConfig() + "\r\n"));

            RawHttp.Answer head = client.answer(true);
            RawHttp.Answer notFound = client.answer(true);
            RawHttp.Answer get = client.answer();
            assertEquals(200, head.status());
            assertEquals("application/json", head.header("Content-Type"));
            assertEquals(Integer.toString(get.body().getBytes(StandardCharsets.UTF_8).length), head.header("Content-Length"));
            assertEquals(404, notFound.status());
            assertEquals(200, get.status(), "the answers to HEAD carried a body, read as the next answer");
        }
    }

    @Test
    void aBodyRefusedBeforeItsContinueClosesTheConnectionAndIsNeverReadAsARequest() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send("POST " + RELOAD + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + fetchConfig()
                    + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n");

            RawHttp.Answer answer = client.answer();
            assertRefused(answer, 413, "HTTP_PAYLOAD_TOO_LARGE", "The request body is larger than the limit of 64 KiB");
            assertEquals("close", answer.header("Connection"));
            client.send(get("/smuggled"));
            assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER), "the connection stayed open");
        }
        try (RawHttp client = new RawHttp(port())) {
            client.send("POST " + RELOAD + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 10\r\n\r\n");

            assertEquals(401, client.answer().status());
            client.send(get("/smuggled"));
            assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER), "the connection stayed open");
        }
    }

    /**
     * A body its route never reads (refused before it, or no route at all) is never taken for a
     * request, and its answer closes the connection. A chunked body is not read after the answer:
     * read, a chunk is held whole, up to the hard cap, before any token is checked. The rest of a
     * body of declared length is read and dropped, and the connection closes at its end.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/no-such-route", RELOAD})
    void aBodyLeftUnreadIsNeverTakenForARequestAndItsAnswerClosesTheConnection(String path) throws Exception {
        String begun = "{\"a\": ";
        for (String framing : List.of("Content-Length: 50000\r\n", "Transfer-Encoding: chunked\r\n")) {
            boolean chunked = framing.startsWith("Transfer");
            try (RawHttp client = new RawHttp(patientServer.port())) {
                client.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + framing + "\r\n" + (chunked ? "f00000\r\n" : "") + begun);

                RawHttp.Answer answer = client.answer();
                assertTrue(answer.status() == 401 || answer.status() == 404, framing + answer.status());
                assertEquals("close", answer.header("Connection"), framing);
                if (!chunked) {
                    assertFalse(client.closedWithin(STILL_OPEN_FOR), "closed before the rest could come");
                    client.send(" ".repeat(50000 - begun.length()) + get("/smuggled"));
                }
                assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER), "the server went on reading: " + framing);
            }
        }
    }

    /**
     * A body its route stopped reading at a refusal (malformed JSON) holds nothing once answered:
     * the room it took in the memory budget is given back, and a client that sends no more of it
     * loses its connection after the deadline, however much of the body it announced.
     */
    @Test
    void aBodyRefusedMidwayIsAnsweredAndClosedAndGivesItsRoomBack() throws Exception {
        try (RawHttp client = new RawHttp(patientServer.port())) {
            client.send("POST " + SEND + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + Tokens.scoped(SCOPED_SECRET, "mail:send") + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 8388608\r\n\r\n{\"a\":1}}");

            RawHttp.Answer answer = client.answer();
            assertEquals(400, answer.status(), answer.body());
            assertEquals("close", answer.header("Connection"));
            assertFalse(client.closedWithin(STILL_OPEN_FOR), "closed before the rest could come");
            assertTrue(client.closedWithin(CLOSE_EXPECTED_WITHIN), "the server waited on for the refused body");
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (BUDGET.inUse() != 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(0, BUDGET.inUse(), "the refused body's room was not given back");
    }

    /**
     * A client that writes its whole body before it reads, as many do, gets the refusal of a body
     * its route did not read to the end: the rest of a body of declared length is read and
     * dropped after the answer, then the connection closes. Closed with the body unread, the
     * connection would be reset, and the reset drops the answer before the client reads it. The
     * client's send buffer is kept small, so that its writes wait on the server's reading whatever
     * the host's default buffers. Refused before its body is read (413), and refused midway after
     * the client was asked for it ({@code 100 Continue}, then a malformed body: 400).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aClientThatWritesItsWholeRefusedBodyBeforeReadingGetsTheRefusal(boolean askedFor) throws Exception {
        byte[] body = new byte[3 * 1024 * 1024];
        Arrays.fill(body, (byte) ' ');
        body[0] = '}';
        String token = askedFor ? Tokens.scoped(SCOPED_SECRET, "mail:send") : fetchConfig();
        try (RawHttp client = RawHttp.withSendBuffer(patientServer.port(), 64 * 1024)) {
            client.send("POST " + (askedFor ? SEND : RELOAD) + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + token + "\r\nContent-Type: application/json\r\n" + (askedFor ? "Expect: 100-continue\r\n" : "")
                    + "Content-Length: " + body.length + "\r\n\r\n");
            if (askedFor) {
                assertEquals(100, client.answer().status());
            }
            client.send(body);

            RawHttp.Answer answer = client.answer();
            if (askedFor) {
                assertEquals(400, answer.status(), answer.body());
            } else {
                assertRefused(answer, 413, "HTTP_PAYLOAD_TOO_LARGE", "The request body is larger than the limit of 64 KiB");
            }
            assertEquals("close", answer.header("Connection"));
            assertTrue(client.closedWithin(CLOSED_WITH_THE_ANSWER), "the connection stayed open after the body");
        }
    }

    /** A body read to its end keeps the connection for the next request: only one left unread closes it. */
    @Test
    void aRequestWhoseBodyWasReadKeepsTheConnection() throws Exception {
        String body = "{\"emailTemplateType\": \"loginWithOTP\", \"sendEmailTo\": [\"user@example.com\"], "
                + "\"templateData\": {\"name\": \"Ann\", \"otp\": \"123456\"}}";
        String send = "POST " + SEND + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + Tokens.scoped(SCOPED_SECRET, "mail:send") + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
        try (RawHttp client = new RawHttp(port())) {
            client.send(send + send);

            RawHttp.Answer first = client.answer();
            assertEquals(200, first.status(), first.body());
            assertEquals("keep-alive", first.header("Connection"));
            assertEquals(200, client.answer().status());
        }
    }

    @Test
    void theAccessLineHoldsThePathAloneNeitherItsParametersNorItsQuery() throws Exception {
        try (LogCapture access = LogCapture.named(RequestIds.ACCESS_LOGGER);
                RawHttp client = new RawHttp(port())) {
            client.send(get(STATUS + ";access_token=matrix-secret?token=query-secret",
                    "Authorization: Bearer " + fetchConfig() + "\r\n"));
            assertEquals(200, client.answer().status());

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (access.lines().isEmpty() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            String line = String.join("\n", access.lines());
            assertTrue(line.contains("GET " + STATUS + " 200"), line);
            assertFalse(line.contains("secret"), line);
        }
    }

    /**
     * A chunked body is given room for the server's cap while it comes in (a chunk is read whole);
     * once read, no more than its bytes are kept while the request goes on (a send, its delivery),
     * so that others are not held off by room nothing uses.
     */
    @Test
    void aChunkedBodyOnceReadKeepsNoMoreRoomThanItsBytes() throws Exception {
        // The room of an earlier test's last request is given back just after its answer left.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (BUDGET.inUse() != 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        List<Long> heldWhileSending = new CopyOnWriteArrayList<>();
        useCases.sendAnswer = request -> heldWhileSending.add(BUDGET.inUse());
        String body = "{\"emailTemplateType\": \"loginWithOTP\", \"sendEmailTo\": [\"user@example.com\"], "
                + "\"templateData\": {\"name\": \"Ann\", \"otp\": \"123456\"}}";
        try (RawHttp client = new RawHttp(port())) {
            client.send("POST " + SEND + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + Tokens.scoped(SCOPED_SECRET, "mail:send") + "\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body
                    + "\r\n0\r\n\r\n");

            assertEquals(200, client.answer().status());
        }
        assertEquals(List.of((long) body.length()), heldWhileSending);
    }

    @Test
    void aBodyOverTheMemoryBudgetIs503WithRetryAfterUnreadAndTheOthersGoOn() throws Exception {
        CountDownLatch holding = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        useCases.sendAnswer = request -> {
            holding.countDown();
            await(release);
        };
        String sendToken = Tokens.scoped(SCOPED_SECRET, "mail:send");
        byte[] body = RawHttp.sendBodyOf(MailRoutes.SEND_EMAIL_MAX_BODY_BYTES);
        List<RawHttp> holders = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RawHttp holder = new RawHttp(port());
                holders.add(holder);
                holder.send(expectContinue(sendToken, body.length));
                assertTrue(holder.answer().status() == 100, "no 100 Continue while the budget had room");
                holder.send(body);
            }
            assertTrue(holding.await(15, TimeUnit.SECONDS), "the sends within the budget did not reach the use case");

            try (RawHttp refused = new RawHttp(port())) {
                refused.send(expectContinue(sendToken, body.length));
                RawHttp.Answer answer = refused.answer();

                assertRefused(answer, 503, "HTTP_SERVICE_UNAVAILABLE",
                        "The service is handling as many request bodies as its memory allows; try again shortly");
                assertEquals("1", answer.header("Retry-After"));
                assertEquals("close", answer.header("Connection"));
            }
            release.countDown();
            for (RawHttp holder : holders) {
                assertEquals(200, holder.answer().status());
            }
            // The room is given back as each request ends, just after its answer left: wait for that.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (BUDGET.inUse() != 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertEquals(0, BUDGET.inUse(), "the room of the answered requests was not given back");
        } finally {
            release.countDown();
            for (RawHttp holder : holders) {
                holder.close();
            }
        }
    }

    private static String expectContinue(String token, int length) {
        return "POST " + SEND + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + length + "\r\n\r\n";
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(15, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the request");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
