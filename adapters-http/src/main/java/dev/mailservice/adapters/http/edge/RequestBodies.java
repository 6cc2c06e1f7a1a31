package dev.mailservice.adapters.http.edge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailservice.adapters.http.answers.HttpError;
import dev.mailservice.adapters.http.answers.Json;
import dev.mailservice.pipeshub.StrictJson;
import io.helidon.common.media.type.MediaType;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/**
 * What the service accepts as a request body, in one place:
 *
 * <ul>
 *   <li><b>size</b>: each route has a limit; a body over it is refused with 413, at once when its
 *       declared length says so, else as soon as it grows past it (a filter, before any route);</li>
 *   <li><b>media type</b>: a request that carries a body declares it {@code application/json}, in
 *       UTF-8 if a charset is named, or gets 415 ({@link #JSON_ONLY}, a handler each route runs after
 *       its token check, so that a client without a valid token learns nothing but 401);</li>
 *   <li><b>memory</b>: a body is read only once the {@link BodyMemoryBudget} has room for it
 *       ({@link #readObject}), else the request gets 503 with {@code Retry-After} unread: room for
 *       its declared length, or for the server's cap when it is chunked (one chunk may be that large);</li>
 * </ul>
 *
 * <p>Written here because Helidon's {@code max-payload-size} is one limit per listener and answers
 * without the limit in words; the limits here are per route, and the listener's is only a backstop.
 */
public final class RequestBodies implements Filter {

    /** Refuses a request that carries a body in another media type than JSON. */
    public static final Handler JSON_ONLY = (request, response) -> {
        if (request.content().hasEntity() && !isJson(request.headers().contentType())) {
            throw HttpError.unsupportedMediaType("A request body must be JSON: send it with "
                    + "Content-Type: application/json (UTF-8)");
        }
        response.next();
    };

    private final long defaultMaxBytes;
    private final Map<String, Long> maxBytesByPath;
    private final long serverCapBytes;
    private final BodyMemoryBudget budget;

    /**
     * @param defaultMaxBytes the limit of every route not named in {@code maxBytesByPath}
     * @param maxBytesByPath  full request paths with a limit of their own
     * @param serverCapBytes  the listener's own limit of a body, which also bounds one chunk of a
     *                        chunked body: the server reads a chunk whole before a route's limit counts it
     * @param budget          the body bytes that may be held at once
     */
    public RequestBodies(long defaultMaxBytes, Map<String, Long> maxBytesByPath, long serverCapBytes,
            BodyMemoryBudget budget) {
        this.defaultMaxBytes = defaultMaxBytes;
        this.maxBytesByPath = Map.copyOf(maxBytesByPath);
        this.serverCapBytes = serverCapBytes;
        this.budget = budget;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        long maxBytes = maxBytesByPath.getOrDefault(request.prologue().uriPath().path(), defaultMaxBytes);
        OptionalLong length = request.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBytes) {
            // Unread: the server drains it after the answer, or closes when the client awaits a 100 (ConnectionGuard).
            throw tooLarge(maxBytes);
        }
        // Without a declared length the body is chunked, and Helidon (4.5.0) reads each chunk whole, up to its
        // own cap, before the limit above counts it: a single chunk may hold that much, whatever the route allows.
        // (Told by the headers: the request's content, once asked for, takes no more stream filters.)
        Admission admission = new Admission(length.orElse(request.headers().contains(HeaderNames.TRANSFER_ENCODING)
                ? Math.max(maxBytes, serverCapBytes) : 0));
        request.streamFilter(body -> admission.counted(new LimitedInputStream(body, maxBytes)));
        request.context().register(admission);
        try {
            chain.proceed();
        } finally {
            admission.release();
        }
    }

    /**
     * The request body as a JSON object, read once the memory budget has room for it; room for the
     * body's bytes is held until the request has been answered.
     *
     * @throws HttpError 503 with {@code Retry-After} when no room came in time, 413 when the body
     *                   is over its route's limit, 400 when it is not a JSON object
     */
    public static ObjectNode readObject(ServerRequest request) {
        return read(request, StrictJson::readObject);
    }

    /** The request body as a JSON object's fields, numbers as sent; read as {@link #readObject} is. */
    public static Map<String, Object> readFields(ServerRequest request) {
        return read(request, StrictJson::readFields);
    }

    private static <T> T read(ServerRequest request, BiFunction<InputStream, String, T> reader) {
        Admission admission = request.context().get(Admission.class)
                .orElseThrow(() -> new IllegalStateException("request bodies are read behind the RequestBodies filter"));
        admission.admit();
        T body = Json.readObject(request, reader);
        admission.read();
        return body;
    }

    private static boolean isJson(Optional<HttpMediaType> contentType) {
        if (contentType.isEmpty()) {
            return false;
        }
        MediaType type = contentType.get().mediaType();
        return type.type().toLowerCase(Locale.ROOT).equals("application")
                && type.subtype().toLowerCase(Locale.ROOT).equals("json")
                && contentType.get().charset().map(charset -> charset.equalsIgnoreCase(StandardCharsets.UTF_8.name()))
                        .orElse(true);
    }

    private static HttpError tooLarge(long maxBytes) {
        return HttpError.payloadTooLarge("The request body is larger than the limit of " + describe(maxBytes));
    }

    private static String describe(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }

    /**
     * One request's claim on the memory budget: taken when its body is read, given back when it is
     * answered; once the body is read, no more than its bytes are kept (a chunked body was given room
     * for the server's cap while it came in).
     */
    private final class Admission {

        private final long bytes;
        private LimitedInputStream body;
        private BodyMemoryBudget.Reservation reservation;

        Admission(long bytes) {
            this.bytes = bytes;
        }

        /** {@code stream}, the body as it is read, whose bytes are kept once it is. */
        LimitedInputStream counted(LimitedInputStream stream) {
            body = stream;
            return stream;
        }

        void admit() {
            if (reservation == null) {
                reservation = budget.reserve(bytes);
            }
        }

        void read() {
            reservation.keepOnly(body == null ? 0 : body.read);
        }

        void release() {
            if (reservation != null) {
                reservation.close();
                reservation = null;
            }
        }
    }

    /** Fails with a 413 once more than {@code maxBytes} have been read. */
    private static final class LimitedInputStream extends FilterInputStream {

        private final long maxBytes;
        private long read;

        LimitedInputStream(InputStream in, long maxBytes) {
            super(in);
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int next = super.read();
            if (next >= 0) {
                count(1);
            }
            return next;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int count = super.read(buffer, offset, length);
            if (count > 0) {
                count(count);
            }
            return count;
        }

        private void count(int bytes) {
            read += bytes;
            if (read > maxBytes) {
                throw tooLarge(maxBytes);
            }
        }
    }
}
