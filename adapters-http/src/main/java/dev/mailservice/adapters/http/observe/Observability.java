package dev.mailservice.adapters.http.observe;

import dev.mailservice.application.port.in.GetServiceHealth.ServiceHealth;
import dev.mailservice.application.port.in.GetServiceHealth;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.ObserveFeatureConfig;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * What operators and orchestrators read, through Helidon's own features: health under
 * {@code /observe/health} (liveness: the process serves; readiness: this replica should get
 * traffic), meters under {@code /observe/metrics} in Prometheus' format, and the OpenAPI document
 * at {@code /openapi}. Unauthenticated, as probes need; on a listener of their own when given a
 * port. Details in docs/operations.md.
 *
 * <p>Readiness does not follow the backend: mail is sent through a backend outage, and every
 * replica would leave the load balancer at once. It fails while the service stops, and, when
 * asked to, while no configuration is active.
 */
public final class Observability {

    /** The name of the second listener, when the endpoints have one. */
    static final String OBSERVE_SOCKET = "observe";

    private final GetServiceHealth health;
    private final boolean readyRequiresSmtp;
    private final OptionalInt observePort;
    private volatile boolean stopping;

    /**
     * @param health            what the service knows of its own state
     * @param readyRequiresSmtp whether a replica with no active configuration is not ready
     * @param observePort       a port of their own for the health and metrics endpoints; empty to
     *                          serve them on the main port (0 picks a free one)
     */
    public Observability(GetServiceHealth health, boolean readyRequiresSmtp, OptionalInt observePort) {
        this.health = Objects.requireNonNull(health, "health");
        this.readyRequiresSmtp = readyRequiresSmtp;
        this.observePort = Objects.requireNonNull(observePort, "observePort");
    }

    /** From now on this replica is not ready: load balancers stop sending it requests. */
    public void stopping() {
        stopping = true;
    }

    /**
     * Adds the features, and their listener when they have one, to {@code server}.
     *
     * @param listener sets up the endpoints' own listener, when they have one, as the server's other
     *                 listeners are (limits, deadlines, error answers)
     */
    public void configure(WebServerConfig.Builder server, Consumer<ListenerConfig.Builder> listener) {
        ObserveFeatureConfig.Builder observe = ObserveFeature.builder()
                .observersDiscoverServices(false)
                .addObserver(HealthObserver.builder()
                        .details(true)
                        .useSystemServices(false)
                        .addCheck(this::live, HealthCheckType.LIVENESS, "serving")
                        .addCheck(this::ready, HealthCheckType.READINESS, "mail-service")
                        .build())
                .addObserver(MetricsObserver.create());
        observePort.ifPresent(port -> {
            server.putSocket(OBSERVE_SOCKET, socket -> {
                listener.accept(socket);
                socket.port(port);
            });
            observe.sockets(List.of(OBSERVE_SOCKET));
        });
        server.featuresDiscoverServices(false)
                .addFeature(observe.build())
                .addFeature(OpenApiFeature.builder().build());
    }

    private HealthCheckResponse live() {
        return HealthCheckResponse.builder().status(true).build();
    }

    /** Ready unless stopping, or (when required) without an active configuration; the state in the details. */
    private HealthCheckResponse ready() {
        ServiceHealth state = health.health();
        HealthCheckResponse.Builder response = HealthCheckResponse.builder()
                .status(!stopping && (state.smtpActive() || !readyRequiresSmtp))
                .detail("stopping", stopping)
                .detail("smtpActive", state.smtpActive());
        state.appliedAt().ifPresent(at -> response.detail("appliedAt", at.toString()));
        state.backend().ifPresent(contact -> response
                .detail("backend", contact.source())
                .detail("backendReachable", contact.reachable())
                .detail("backendContactAt", contact.at().toString()));
        return response.build();
    }

    /**
     * Where the health and metrics endpoints are, in words, when they have a port of their own: for
     * a request that looked for them on the main port. Empty when they share it.
     */
    public Optional<String> elsewhere() {
        return observePort.stream().mapToObj(port -> "the health and metrics endpoints are served on the observe port "
                + "(OBSERVE_PORT" + (port == 0 ? "" : ", " + port) + "), not on this one").findFirst();
    }

    /** The port asked for the health and metrics endpoints; empty when they share the main port. */
    public OptionalInt requestedPort() {
        return observePort;
    }

    /** The listener of the health and metrics endpoints; empty when they share the main port. */
    public Optional<String> socket() {
        return observePort.isPresent() ? Optional.of(OBSERVE_SOCKET) : Optional.empty();
    }
}
