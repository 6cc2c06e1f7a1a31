package dev.mailservice.bootstrap;

import dev.mailservice.adapters.http.HttpServer;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How the service serves HTTP: the API's port and connections, the health and metrics endpoints,
 * what the admin view shows, and how a stopping replica leaves.
 *
 * @param port              {@code PORT}: the HTTP port; 0 picks a free one
 * @param idleTimeout       {@code HTTP_IDLE_TIMEOUT_MS}: how long a connection may stay silent, in the
 *                          middle of a request or between two, before it is closed
 * @param maxConnections    {@code HTTP_MAX_CONNECTIONS}: the connections {@code PORT} takes at once; by
 *                          default one for each 96 KiB of the heap (about 1,000 at -Xmx96m)
 * @param observePort       {@code OBSERVE_PORT}: a port of their own for the health and metrics
 *                          endpoints; empty to serve them on {@code PORT}
 * @param readyRequiresSmtp {@code READY_REQUIRES_SMTP}: whether a replica with no active
 *                          configuration says it is not ready
 * @param shutdownGrace     {@code SHUTDOWN_GRACE_MS}: how long a stopping replica goes on serving after
 *                          it stopped being ready, so that load balancers stop sending it requests
 * @param hideSecretConfig  {@code HIDE_SECRET_CONFIG}, PipesHub's: whether the admin view of the stored
 *                          configuration hides host, username and fromEmail as it hides the password
 * @param consoleEnabled    {@code CONSOLE_ENABLED}: whether the operator console is served under
 *                          {@code /console/} on {@code PORT}
 */
record HttpSettings(
        int port,
        Duration idleTimeout,
        int maxConnections,
        OptionalInt observePort,
        boolean readyRequiresSmtp,
        Duration shutdownGrace,
        boolean hideSecretConfig,
        boolean consoleEnabled) {

    static final String PORT = "PORT";
    static final String HTTP_IDLE_TIMEOUT_MS = "HTTP_IDLE_TIMEOUT_MS";
    static final String HTTP_MAX_CONNECTIONS = "HTTP_MAX_CONNECTIONS";
    static final String OBSERVE_PORT = "OBSERVE_PORT";
    static final String READY_REQUIRES_SMTP = "READY_REQUIRES_SMTP";
    static final String SHUTDOWN_GRACE_MS = "SHUTDOWN_GRACE_MS";
    static final String CONSOLE_ENABLED = "CONSOLE_ENABLED";
    static final String HIDE_SECRET_CONFIG = "HIDE_SECRET_CONFIG";

    static final int DEFAULT_PORT = 3000;
    static final long DEFAULT_HTTP_IDLE_TIMEOUT_MS = 20_000;
    static final long DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

    HttpSettings {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(observePort, "observePort");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    }

    /**
     * Reads these settings from {@code environment}, applying the defaults.
     *
     * Refuses, in {@code environment}, each variable that is wrong.
     */
    static HttpSettings read(Environment environment) {
        OptionalInt port = environment.checkedWholeNumber(PORT, DEFAULT_PORT, 0, 65_535);
        return new HttpSettings(
                port.orElse(DEFAULT_PORT),
                // From 100 ms: idle connections are looked for every quarter of it, and a client needs some time.
                Duration.ofMillis(environment.wholeNumber(HTTP_IDLE_TIMEOUT_MS, DEFAULT_HTTP_IDLE_TIMEOUT_MS, 100, 600_000)),
                environment.wholeNumber(HTTP_MAX_CONNECTIONS,
                        HttpServer.connectionsForHeap(Runtime.getRuntime().maxMemory()), 1, 1_000_000),
                observePort(environment, port),
                environment.flag(READY_REQUIRES_SMTP, false),
                Duration.ofMillis(environment.wholeNumber(SHUTDOWN_GRACE_MS, DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000)),
                environment.flag(HIDE_SECRET_CONFIG, false),
                environment.flag(CONSOLE_ENABLED, true));
    }

    /**
     * A port of their own for health and metrics, never the API's (both would bind it, and the second
     * fail); compared with {@code port} only when that was not refused.
     */
    private static OptionalInt observePort(Environment environment, OptionalInt port) {
        if (environment.valueOr(OBSERVE_PORT, "").isEmpty()) {
            return OptionalInt.empty();
        }
        int observePort = environment.wholeNumber(OBSERVE_PORT, 0, 0, 65_535);
        if (port.isPresent() && observePort == port.getAsInt() && observePort != 0) {
            return environment.refuse(OBSERVE_PORT + " must differ from " + PORT + " (" + observePort + "); leave it "
                    + "unset to serve health and metrics on " + PORT, OptionalInt.empty());
        }
        return OptionalInt.of(observePort);
    }
}
