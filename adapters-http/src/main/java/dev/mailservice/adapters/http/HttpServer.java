package dev.mailservice.adapters.http;

import dev.mailservice.adapters.http.answers.ErrorMapper;
import dev.mailservice.adapters.http.answers.HttpError;
import dev.mailservice.adapters.http.edge.BodyMemoryBudget;
import dev.mailservice.adapters.http.edge.ClientDeadlines;
import dev.mailservice.adapters.http.edge.ConnectionGuard;
import dev.mailservice.adapters.http.edge.RequestBodies;
import dev.mailservice.adapters.http.edge.RequestsInFlight;
import dev.mailservice.adapters.http.observe.Observability;
import dev.mailservice.adapters.http.observe.RequestLog;
import dev.mailservice.adapters.http.routes.ConfigManagerRoutes;
import dev.mailservice.adapters.http.routes.ConsoleRoutes;
import dev.mailservice.adapters.http.routes.MailRoutes;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The service's HTTP server: the contract's routes under {@code /api/v1}, every error in the
 * contract's shape, unknown routes answered 404 in that shape too, request bodies limited per route
 * and in memory, connections guarded against clients that stop or frame requests ambiguously
 * ({@link ConnectionGuard}), and the health, metrics and OpenAPI endpoints ({@link Observability}).
 */
public final class HttpServer {

    /** Request bodies above this size are refused with 413, except on the send route. */
    public static final long MAX_BODY_BYTES = 64 * 1024;

    /** A request's header block may be this large; over it, 431. Helidon's default, said here once. */
    static final int MAX_HEADERS_BYTES = 16 * 1024;

    /** A request line may be this long (Helidon's default); over it, 414. */
    static final int MAX_REQUEST_LINE_BYTES = 4096;

    /**
     * Bodies above this size are cut off by the server itself, before any route, without being
     * read and with the connection closed.
     */
    static final long HARD_CAP_BYTES = 16 * 1024 * 1024;

    /**
     * Heap bytes allowed for each connection of the API's port. An idle connection holds about 20 KB
     * of heap (Helidon's buffers and the connection's thread): measured with the packaged jar at
     * -Xmx96m, about 4,800 connections that sent nothing ran it out of memory within two seconds.
     */
    static final long HEAP_BYTES_PER_CONNECTION = 96 * 1024;

    /**
     * Connections the health and metrics endpoints' own port takes at once: probes and scrapes are
     * few, and room is left for them when something holds many (about 5 MB of heap at most).
     */
    static final int OBSERVE_MAX_CONNECTIONS = 256;

    /** How often idle connections are looked for, at most; sooner for short idle timeouts. */
    private static final Duration MAX_IDLE_CHECK_PERIOD = Duration.ofSeconds(1);

    /** The paths of the health and metrics endpoints ({@link Observability}). */
    private static final List<String> OBSERVE_PATHS = List.of("/observe", "/observe/*");

    private static final System.Logger LOG = System.getLogger(HttpServer.class.getName());

    private final Guards guards;
    private final int requestedPort;
    private final Duration drainTimeout;
    private final Observability observability;
    private final WebServer webServer;

    /**
     * @param port           the port to listen on; 0 picks a free one
     * @param idleTimeout    how long a client may stay silent, between requests or in the middle of one,
     *                       before its connection is closed
     * @param maxConnections the connections the port takes at once ({@link #connectionsForHeap}); more
     *                       wait to be accepted until one closes
     * @param drainTimeout   how long stopping waits for the requests under way: as long as the longest
     *                       of them may take
     * @param bodyBudget     the request body bytes held at once ({@link BodyMemoryBudget#forHeap})
     * @param mail           the routes under {@code /api/v1/mail}
     * @param configManager  the routes under {@code /api/v1/configurationManager}
     * @param console        the operator console under {@code /console/}, unless it is turned off
     * @param observability  the health, metrics and OpenAPI endpoints
     */
    public HttpServer(int port, Duration idleTimeout, int maxConnections, Duration drainTimeout, BodyMemoryBudget bodyBudget,
            MailRoutes mail, ConfigManagerRoutes configManager, Optional<ConsoleRoutes> console,
            Observability observability) {
        this.requestedPort = port;
        this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
        this.observability = observability;
        WebServerConfig.Builder server = WebServer.builder()
                .port(port)
                // Start-up wiring stops the server itself, in order with the rest of the service.
                .shutdownHook(false);
        this.guards = configure(server, idleTimeout, maxConnections, bodyBudget, mail, configManager, console,
                observability);
        this.webServer = server.build();
    }

    /** What {@link #configure} set up that stopping the server must end. */
    record Guards(RequestsInFlight requestsInFlight, ClientDeadlines clientDeadlines) {}

    /**
     * Configures {@code server} as this service's HTTP server, but for its port and life cycle:
     * HTTP/1.1 with its limits and deadlines, the error answers, the filters and the routes. The
     * service and the tests of its routes both start their servers this way.
     *
     * @return what stopping the server must end
     */
    static Guards configure(WebServerConfig.Builder server, Duration idleTimeout, int maxConnections,
            BodyMemoryBudget bodyBudget, MailRoutes mail, ConfigManagerRoutes configManager, Optional<ConsoleRoutes> console,
            Observability observability) {
        Objects.requireNonNull(mail, "mail");
        Objects.requireNonNull(configManager, "configManager");
        Guards guards = new Guards(new RequestsInFlight(), new ClientDeadlines(idleTimeout));
        ConnectionGuard guard = new ConnectionGuard(guards.clientDeadlines(), guards.requestsInFlight()::stopping);
        RequestBodies bodies = new RequestBodies(MAX_BODY_BYTES, Map.of(
                MailRoutes.BASE_PATH + MailRoutes.SEND_EMAIL, MailRoutes.SEND_EMAIL_MAX_BODY_BYTES), HARD_CAP_BYTES,
                bodyBudget);
        // A port of the endpoints' own is guarded and answers errors as this one does: it is as
        // reachable by a hostile or broken client.
        observability.configure(server, socket -> guarded(socket, idleTimeout, guard, guards.clientDeadlines())
                .maxTcpConnections(OBSERVE_MAX_CONNECTIONS)
                .routing(routing -> {
                    routing.addFilter(new RequestLog());
                    routing.addFilter(guard);
                    ErrorMapper.handleErrorsOf(routing);
                }));
        guarded(server, idleTimeout, guard, guards.clientDeadlines())
                .maxTcpConnections(maxConnections)
                .routing(routing -> {
                    routing.addFilter(new RequestLog());
                    routing.addFilter(guard);
                    routing.addFilter(guards.requestsInFlight());
                    routing.addFilter(bodies);
                    routing.register(MailRoutes.BASE_PATH, mail);
                    routing.register(ConfigManagerRoutes.BASE_PATH, configManager);
                    console.ifPresent(files -> routing.register(ConsoleRoutes.BASE_PATH, files));
                    // On a port of their own, the endpoints are not on this one: a probe or a person
                    // looking here is told where they are, rather than given a bare 404.
                    observability.elsewhere().ifPresent(where -> OBSERVE_PATHS.forEach(path -> routing.any(path,
                            (request, response) -> {
                                throw HttpError.notFound("No route " + request.prologue().method().text() + " "
                                        + request.path().path() + " on this port: " + where);
                            })));
                    // A path no route takes is answered by the error mapper (no catch-all route here:
                    // it would hide the endpoints the features add after these routes).
                    ErrorMapper.handleErrorsOf(routing);
                });
        return guards;
    }

    /**
     * The connections the API's port takes at once for a heap of {@code maxHeapBytes} (the JVM's
     * {@code -Xmx}): one for each {@link #HEAP_BYTES_PER_CONNECTION}, 64 at least. Without a limit, a
     * client opening connections and sending nothing runs the service out of memory.
     */
    public static int connectionsForHeap(long maxHeapBytes) {
        return (int) Math.max(64, Math.min(Integer.MAX_VALUE, maxHeapBytes / HEAP_BYTES_PER_CONNECTION));
    }

    /**
     * Sets on {@code listener} what every listener of the service has: HTTP/1.1 with its limits and
     * the deadline on headers, the idle timeout, and the error answers given before routing.
     */
    private static <B extends ListenerConfig.BuilderBase<B, ?>> B guarded(B listener, Duration idleTimeout,
            ConnectionGuard guard, ClientDeadlines deadlines) {
        return listener.maxPayloadSize(HARD_CAP_BYTES)
                // HTTP/1.1 alone, configured here; a discovered default would stand beside it.
                .protocolsDiscoverServices(false)
                .protocols(List.of(Http1Config.builder()
                        .maxHeadersSize(MAX_HEADERS_BYTES)
                        .maxPrologueLength(MAX_REQUEST_LINE_BYTES)
                        .addReceiveListener(guard.headerDeadline())
                        .build()))
                .idleConnectionTimeout(idleTimeout)
                .idleConnectionPeriod(idleTimeout.dividedBy(4).compareTo(MAX_IDLE_CHECK_PERIOD) < 0
                        ? idleTimeout.dividedBy(4) : MAX_IDLE_CHECK_PERIOD)
                // Gives the error answers before routing the server's reason, which tells an oversized header block.
                .errorHandling(ErrorHandling.builder().includeEntity(true).build())
                .directHandlers(ErrorMapper.directHandlers(MAX_HEADERS_BYTES, deadlines::refusedBeforeRouting));
    }

    /**
     * Starts listening; returns once the port is open.
     *
     * @throws ListenFailedException if the port cannot be listened on (in use, or not allowed)
     */
    public HttpServer start() {
        webServer.start();
        // Helidon logs a failed bind and returns without a port rather than throwing.
        if (!webServer.isRunning() || webServer.port() <= 0) {
            webServer.stop();
            guards.clientDeadlines().close();
            throw new ListenFailedException("Cannot listen on " + unusablePorts()
                    + ": it is in use by another process, or not allowed");
        }
        return this;
    }

    /**
     * The requested ports that cannot be listened on now, in words; every requested one when each
     * can. Found by trying them: Helidon logs which listener failed, but tells the caller nothing.
     */
    private String unusablePorts() {
        Map<String, Integer> requested = new LinkedHashMap<>();
        requested.put("port " + requestedPort, requestedPort);
        observability.requestedPort().ifPresent(port -> requested.put("the observe port " + port + " (OBSERVE_PORT)", port));
        List<String> unusable = requested.entrySet().stream()
                .filter(entry -> entry.getValue() != 0 && !canListenOn(entry.getValue())).map(Map.Entry::getKey).toList();
        return String.join(" and ", unusable.isEmpty() ? requested.keySet() : unusable);
    }

    private static boolean canListenOn(int port) {
        try (ServerSocket probe = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return webServer.port();
    }

    /** The port of the health and metrics endpoints: their own, or the main one. */
    public int observePort() {
        return observability.socket().map(webServer::port).orElse(port());
    }

    /**
     * Stops in two steps: first this replica says it is not ready and goes on serving for
     * {@code grace}, so that load balancers stop sending it requests; then it answers new requests
     * 503 and waits up to its drain timeout for the ones under way to finish, and stops
     * listening.
     */
    public void stop(Duration grace) {
        observability.stopping();
        try {
            // A server that never listened (the start failed) has no load balancer to wait for.
            if (!grace.isZero() && webServer.isRunning()) {
                LOG.log(System.Logger.Level.INFO, "Not ready any more; serving {0} ms more before stopping",
                        grace.toMillis());
                Thread.sleep(grace);
            }
            int unfinished = guards.requestsInFlight().drain(drainTimeout);
            if (unfinished > 0) {
                LOG.log(System.Logger.Level.WARNING, "Stopping with {0} requests still under way after {1} s",
                        unfinished, drainTimeout.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        webServer.stop();
        guards.clientDeadlines().close();
    }
}
