package dev.mailservice.adapters.http.observe;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.lang.System.Logger.Level;

/**
 * Gives every request its id ({@link RequestIds}), returns it in the answer, and writes one access
 * line when the request is answered: method, path, status and duration, never a header value, a
 * query or a body. Probes of the health, metrics and OpenAPI endpoints are written at DEBUG only.
 *
 * <p>Written here rather than with Helidon's access-log feature: that feature writes one preformatted
 * string per request, while the JSON log format needs the fields apart, and the request id of this
 * service beside them.
 */
public final class RequestLog implements Filter {

    private static final System.Logger LOG = System.getLogger(RequestIds.ACCESS_LOGGER);
    private static final io.helidon.http.HeaderName REQUEST_ID = HeaderNames.create(RequestIds.HEADER);

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        String id = RequestIds.choose(request.headers().first(REQUEST_ID));
        response.header(REQUEST_ID, id);
        // Bound until the answer is sent: the error handlers, which answer after this filter returns,
        // log with the request's id too. A thread serves the requests of its connection one by one.
        RequestIds.bind(id);
        long started = System.nanoTime();
        response.whenSent(() -> {
            // As sent, percent-encoded: a decoded path could put a line break or a control character in the log.
            // Without its matrix parameters (";token=..."), which routing passes over and a client may put a secret in.
            String path = request.prologue().uriPath().rawPathNoParams();
            boolean probe = path.startsWith("/observe") || path.startsWith("/openapi");
            RequestIds.bind(id);
            try {
                LOG.log(probe ? Level.DEBUG : Level.INFO, "{0} {1} {2} {3} ms", request.prologue().method().text(),
                        path, response.status().code(), (System.nanoTime() - started) / 1_000_000);
            } finally {
                RequestIds.unbind();
            }
        });
        chain.proceed();
    }
}
