package dev.mailservice.adapters.http;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpService;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The service's HTTP server: the contract's routes under {@code /api/v1}, every error in the
 * contract's shape, unknown routes answered 404 in that shape too, request bodies limited per route.
 */
public final class MailHttpServer {

    /** Request bodies above this size are refused with 413, except on the send route. */
    public static final long MAX_BODY_BYTES = 64 * 1024;

    /**
     * Bodies above this size are cut off by the server itself, before any route, without being
     * read. Below it, a refused body is read to its end so that the client sees the 413.
     */
    static final long HARD_CAP_BYTES = 16 * 1024 * 1024;

    /**
     * How long stopping waits for the requests under way: room for a send's SMTP exchange at the
     * default timeouts, while the whole stop (with the few seconds the rest of the service takes)
     * stays within the 30 s an orchestrator (Kubernetes' default) gives before it kills.
     */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    private static final System.Logger LOG = System.getLogger(MailHttpServer.class.getName());

    private final RequestsInFlight requestsInFlight = new RequestsInFlight();
    private final WebServer webServer;

    /**
     * @param port          the port to listen on; 0 picks a free one
     * @param mail          the routes under {@code /api/v1/mail}
     * @param configManager the routes under {@code /api/v1/configurationManager}
     */
    public MailHttpServer(int port, MailHttpService mail, ConfigManagerHttpService configManager) {
        Objects.requireNonNull(mail, "mail");
        Objects.requireNonNull(configManager, "configManager");
        this.webServer = WebServer.builder()
                .port(port)
                .maxPayloadSize(HARD_CAP_BYTES)
                .directHandlers(ErrorMapper.directHandlers())
                // Start-up wiring stops the server itself, in order with the rest of the service.
                .shutdownHook(false)
                .routing(routing -> {
                    routing.addFilter(requestsInFlight);
                    routing.addFilter(new BodyLimit(MAX_BODY_BYTES, Map.of(
                            MailHttpService.BASE_PATH + MailHttpService.SEND_EMAIL,
                            MailHttpService.SEND_EMAIL_MAX_BODY_BYTES)));
                    routing.register(MailHttpService.BASE_PATH, (HttpService) mail);
                    routing.register(ConfigManagerHttpService.BASE_PATH, (HttpService) configManager);
                    ErrorMapper.handleErrorsOf(routing);
                    routing.any((request, response) -> {
                        throw HttpError.notFound("No route " + request.prologue().method().text() + " "
                                + request.prologue().uriPath().path());
                    });
                })
                .build();
    }

    /** Starts listening; returns once the port is open. */
    public MailHttpServer start() {
        webServer.start();
        return this;
    }

    /** The port the server listens on. */
    public int port() {
        return webServer.port();
    }

    /**
     * Answers new requests 503 and waits up to {@link #DRAIN_TIMEOUT} for the ones under way to
     * finish, then stops listening.
     */
    public void stop() {
        try {
            int unfinished = requestsInFlight.drain(DRAIN_TIMEOUT);
            if (unfinished > 0) {
                LOG.log(System.Logger.Level.WARNING, "Stopping with {0} requests still under way after {1} s",
                        unfinished, DRAIN_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        webServer.stop();
    }
}
