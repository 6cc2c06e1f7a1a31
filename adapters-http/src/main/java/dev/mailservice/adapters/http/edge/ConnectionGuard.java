package dev.mailservice.adapters.http.edge;

import dev.mailservice.adapters.http.answers.ErrorMapper;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * What the service adds to Helidon's HTTP/1.1 handling so that a connection is never held by a
 * client that stopped, and never reused when its framing is in doubt. Helidon (4.5.0) refuses
 * ambiguous framing itself (two {@code Content-Length}s, {@code Content-Length} with
 * {@code Transfer-Encoding}, a malformed length) with 400 and closes; what it leaves is done here:
 *
 * <ul>
 *   <li>a client that stops in the middle of its headers, or of its body, for longer than the
 *       read deadline loses its connection ({@link ClientDeadlines}); between requests, Helidon's
 *       own idle timeout does the same; a body must also keep an average pace;</li>
 *   <li>a client that does not take an answer (its buffers full, it reads nothing) within the same
 *       deadline loses its connection, however many requests it has sent ahead;</li>
 *   <li>a request or an answer with {@code Connection: close} closes the connection once answered
 *       (Helidon writes the header but keeps reading);</li>
 *   <li>a request answered before its body was read to the end (a refusal, no route, a body
 *       refused midway) closes the connection, and the rest is never read as a request: Helidon
 *       would read it after the answer without a deadline, holding each chunk whole, and with
 *       {@code Expect: 100-continue} the client may still send it. The rest of a body of declared
 *       length is read and dropped first, for up to the same deadline in all, so that a client
 *       that writes its whole body before it reads gets the answer ({@link #dropTheRest});</li>
 *   <li>a client that goes away in the middle of its body ends the request quietly, without an
 *       answer nobody would read and without a stack trace in the log.</li>
 * </ul>
 */
public final class ConnectionGuard implements Filter {

    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());
    /** The least pace of a request body, on average once a first idle period has passed. */
    static final long MIN_BODY_BYTES_PER_SECOND = 16 * 1024;

    private final ClientDeadlines deadlines;
    private final BooleanSupplier stopping;

    /** @param stopping whether the server is stopping: a body left unread is then not read on */
    public ConnectionGuard(ClientDeadlines deadlines, BooleanSupplier stopping) {
        this.deadlines = deadlines;
        this.stopping = stopping;
    }

    /**
     * Puts a deadline on the header block of every request, from its request line to its last
     * header. A request refused before its headers are in ends its deadline where it is answered
     * ({@link ErrorMapper#directHandlers}).
     */
    public Http1ConnectionListener headerDeadline() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext connection, HttpPrologue prologue) {
                deadlines.startHeaderDeadline();
            }

            @Override
            public void headers(ConnectionContext connection, Headers headers) {
                // When it passed already, the thread is interrupted: the filter below gives the connection up.
                deadlines.endHeaderDeadline();
            }
        };
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        if (Thread.interrupted()) {
            // The header deadline passed just as the last header came: the connection is given up.
            throw new CloseConnectionException("the request's headers took longer than " + deadlines.limit().toMillis()
                    + " ms");
        }
        AtomicReference<DeadlineInputStream> body = new AtomicReference<>();
        request.streamFilter(raw -> {
            body.set(new DeadlineInputStream(raw, deadlines));
            return body.get();
        });
        AnswerWrite answer = new AnswerWrite(deadlines);
        response.beforeSend(answer::begin);
        response.whenSent(answer::end);
        if (hasBody(request)) {
            // Answered before its body was read to the end (a refusal, no route, a body refused midway): the
            // rest is not read. Helidon would read it after the answer, through no deadline of ours, a
            // chunk held whole, and before any token was checked; with Expect: 100-continue, the client
            // may still send it, which must not be read as the next request.
            response.beforeSend(() -> {
                if (!request.content().consumed()) {
                    response.header(HeaderValues.CONNECTION_CLOSE);
                }
            });
        }
        boolean answerUnfinished;
        try {
            chain.proceed();
        } catch (CloseConnectionException closing) {
            throw closing;
        } catch (RuntimeException refused) {
            // A refusal of a filter behind this one (413, the 503 while stopping): the routes' error
            // handling answers only what the routes throw, so it is answered here, and the rules
            // on closing below apply to it too.
            if (response.isSent()) {
                throw refused;
            }
            ErrorMapper.answer(request, response, refused);
        } finally {
            answerUnfinished = answer.unfinished();
            // Deadlines deliver their interrupt before they report; none may reach what the thread does next.
            Thread.interrupted();
        }
        if (answerUnfinished) {
            throw closing("the client did not take its answer within " + deadlines.limit().toMillis() + " ms, or went away",
                    null);
        }
        if (response.isSent() && (request.headers().containsToken(HeaderValues.CONNECTION_CLOSE)
                || response.headers().containsToken(HeaderValues.CONNECTION_CLOSE))) {
            if (hasBody(request) && !request.content().consumed()) {
                dropTheRest(request, body);
            }
            throw new CloseConnectionException("answered with Connection: close");
        }
    }

    /**
     * Reads and drops what is left of a body of declared length after its answer, until its end
     * or for up to the client deadline in all, whichever comes first.
     *
     * <p>Why: a connection closed with bytes unread is reset, and the reset drops what the client
     * has not read yet, the answer too: a client that writes its whole body before it reads (many
     * do) would see a broken connection in place of the refusal. Not for a chunked body, whose
     * chunks the server reads whole, each held in memory; not for a body the client still waits
     * to be asked for ({@code Expect: 100-continue}, never asked), which it does not send; not
     * once the server has stopped taking requests, whose stop would give the connection its grace
     * and then cut the drop short anyway. A body declared over the server's own cap
     * is refused before routing, and closed at once. Bytes the client sends after the body (a next
     * request) are not read: the close may still reset the connection for such a client.
     */
    private void dropTheRest(RoutingRequest request, AtomicReference<DeadlineInputStream> body) {
        if (request.headers().contains(HeaderNames.TRANSFER_ENCODING) || !request.continueSent()
                || stopping.getAsBoolean()) {
            return;
        }
        if (body.get() == null) {
            try {
                // Asked for here, past the routes' filters: only this guard's reading applies, its deadlines.
                request.content().inputStream();
            } catch (IllegalStateException askedForAlready) {
                // By a filter ahead of this one: the rest is not this guard's to read.
                return;
            }
        }
        if (body.get() == null) {
            // The content was made before this guard's filter was set (by a filter ahead of it): no drop.
            return;
        }
        long until = System.nanoTime() + deadlines.limit().toNanos();
        byte[] dropped = new byte[8192];
        try {
            for (long left = deadlines.limit().toNanos(); left > 0; left = until - System.nanoTime()) {
                if (body.get().read(dropped, 0, dropped.length, deadlines.start(left)) < 0) {
                    return;
                }
            }
        } catch (CloseConnectionException stoppedOrGone) {
            // The client went quiet or away: the connection closes, as it would have.
        } finally {
            // A deadline that passed interrupted the thread, which must not carry it on.
            Thread.interrupted();
        }
    }

    /** Whether {@code request} says a body follows its headers: a length above zero, or a transfer coding. */
    private static boolean hasBody(RoutingRequest request) {
        return request.headers().contains(HeaderNames.TRANSFER_ENCODING)
                || request.headers().contentLength().orElse(0) > 0;
    }

    /**
     * Puts a deadline on each read of a request body (the wait for the client's next bytes), and
     * ends the request when the client stopped or went away. The end is a
     * {@link CloseConnectionException}, which Helidon passes by the error handlers: there is no one
     * left to answer, and nothing worth a warning in the log.
     */
    private static final class DeadlineInputStream extends FilterInputStream {

        private final ClientDeadlines deadlines;
        private final long startedAt = System.nanoTime();
        private long received;

        DeadlineInputStream(InputStream body, ClientDeadlines deadlines) {
            super(body);
            this.deadlines = deadlines;
        }

        /**
         * Reads nothing more: Helidon's own close reads what is left of the body, without a deadline.
         * A body left unread closes the connection after the answer instead, once what is left of
         * it is dropped where it can be ({@link #dropTheRest}).
         */
        @Override
        public void close() {
            // The body's end, if it never came, is not waited for.
        }

        @Override
        public int read() throws IOException {
            byte[] next = new byte[1];
            return read(next, 0, 1) < 0 ? -1 : next[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return read(buffer, offset, length, deadlines.start());
        }

        /** Reads as {@link #read(byte[], int, int)} does, within {@code deadline}. */
        int read(byte[] buffer, int offset, int length, ClientDeadlines.Deadline deadline) {
            int count;
            try {
                count = super.read(buffer, offset, length);
            } catch (IOException | UncheckedIOException | DataReader.InsufficientDataAvailableException
                    | CloseConnectionException failed) {
                // Helidon reports a socket's failure (a deadline's interrupt among them) as the last of these.
                throw ended(deadline, failed);
            }
            return counted(deadline, Math.max(count, 0), count);
        }

        /**
         * Ends the read's deadline and checks the body's pace: after a first idle period, it must
         * come at {@link #MIN_BODY_BYTES_PER_SECOND} on average, so that a client sending a byte now
         * and then cannot hold its connection, and the memory its body is given, for ever.
         */
        private int counted(ClientDeadlines.Deadline deadline, int bytes, int result) {
            if (!deadline.end()) {
                throw ended(deadline, null);
            }
            received += bytes;
            long paced = System.nanoTime() - startedAt - deadlines.limit().toNanos();
            if (paced > 0 && received < MIN_BODY_BYTES_PER_SECOND * paced / 1_000_000_000L) {
                throw closing("the body came slower than " + MIN_BODY_BYTES_PER_SECOND / 1024 + " KiB/s", null);
            }
            return result;
        }

        private CloseConnectionException ended(ClientDeadlines.Deadline deadline, Throwable failure) {
            return closing(deadline.end()
                    ? "the client went away in the middle of its body"
                    : "no byte of the body came for " + deadlines.limit().toMillis() + " ms", failure);
        }
    }

    private static CloseConnectionException closing(String why, Throwable failure) {
        LOG.log(System.Logger.Level.DEBUG, "Closing a connection: {0}", why);
        return new CloseConnectionException(why, failure);
    }

    /**
     * The writing of one answer, under a deadline: a client that does not take it (the socket's
     * buffers full, the client reading nothing) within the limit loses its connection. Helidon
     * writes an answer whole in one call, so the deadline is on the whole answer, not on its pace.
     * An answer begun and never finished (the deadline passed, or the client went away) closes
     * the connection, whoever noticed the failure: a write that failed in the error handler is not
     * passed on by it ({@link ErrorMapper#answer}).
     */
    private static final class AnswerWrite {

        private final ClientDeadlines deadlines;
        private ClientDeadlines.Deadline deadline;
        private boolean finished;

        AnswerWrite(ClientDeadlines deadlines) {
            this.deadlines = deadlines;
        }

        void begin() {
            if (deadline != null) {
                // An answer begun before (its output stream asked for, then reset for an error answer):
                // its deadline must not fire at whatever the thread does later.
                deadline.end();
            }
            deadline = deadlines.start();
        }

        void end() {
            // A deadline that passed as the last bytes went still closes: the client was that slow.
            finished = deadline.end();
        }

        /** Whether an answer was begun and not written in time, or not at all. */
        boolean unfinished() {
            if (deadline == null) {
                return false;
            }
            if (!finished) {
                // The write failed before its end: its deadline, if it still runs, must not fire later.
                deadline.end();
            }
            return !finished;
        }
    }
}
