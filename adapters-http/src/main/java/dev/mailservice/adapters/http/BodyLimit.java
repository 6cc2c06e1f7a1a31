package dev.mailservice.adapters.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Refuses request bodies over their route's limit with 413: at once when the declared length is
 * over it, and while reading when a body without a declared length grows past it.
 *
 * <p>A body refused for its declared length is read and thrown away first (up to the server's
 * hard cap): a server that answers and closes while the client is still writing makes the
 * client's socket reset, and the client then never sees the 413 at all.
 */
final class BodyLimit implements Filter {

    private final long defaultMaxBytes;
    private final Map<String, Long> maxBytesByPath;

    /**
     * @param defaultMaxBytes the limit of every route not named in {@code maxBytesByPath}
     * @param maxBytesByPath  full request paths with a limit of their own
     */
    BodyLimit(long defaultMaxBytes, Map<String, Long> maxBytesByPath) {
        this.defaultMaxBytes = defaultMaxBytes;
        this.maxBytesByPath = Map.copyOf(maxBytesByPath);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        long maxBytes = maxBytesByPath.getOrDefault(request.prologue().uriPath().path(), defaultMaxBytes);
        OptionalLong length = request.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBytes) {
            try {
                request.content().consume();
            } catch (RuntimeException overTheHardCap) {
                // The server closes the connection anyway; the 413 is all that is left to say.
            }
            throw tooLarge(maxBytes);
        }
        request.streamFilter(body -> new LimitedInputStream(body, maxBytes));
        chain.proceed();
    }

    private static HttpError tooLarge(long maxBytes) {
        return HttpError.payloadTooLarge("The request body is larger than the limit of " + describe(maxBytes));
    }

    private static String describe(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
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
