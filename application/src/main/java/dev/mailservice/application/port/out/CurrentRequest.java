package dev.mailservice.application.port.out;

import java.util.Optional;

/**
 * Out-port: the id of the request the current thread serves, as the inbound adapter that took it
 * names it (for an HTTP request, its {@code X-Request-Id}), so that what the core records of a
 * request can be found again beside the request's log lines.
 */
@FunctionalInterface
public interface CurrentRequest {

    /** The id, when the current thread serves a request. */
    Optional<String> id();

    /** No request: for a core driven by no inbound adapter, and for tests. */
    CurrentRequest NONE = Optional::empty;
}
