package dev.mailservice.adapters.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.OptionalLong;

/**
 * Refuses request bodies over the limit with 413 before any route runs.
 *
 * <p>The refused body is read and thrown away first (up to the server's hard cap): a server
 * that answers and closes while the client is still writing makes the client's socket reset,
 * and the client then never sees the 413 at all.
 */
final class BodyLimit implements Filter {

    private final long maxBytes;

    BodyLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        OptionalLong length = request.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBytes) {
            try {
                request.content().consume();
            } catch (RuntimeException overTheHardCap) {
                // The server closes the connection anyway; the 413 is all that is left to say.
            }
            throw HttpError.payloadTooLarge("The request body is larger than the limit of " + maxBytes / 1024 + " KiB");
        }
        chain.proceed();
    }
}
