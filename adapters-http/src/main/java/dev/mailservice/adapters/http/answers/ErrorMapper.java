package dev.mailservice.adapters.http.answers;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.pipeshub.StrictJson;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.NotFoundException;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that turns a failure into an answer, in the contract's shape:
 * {@code {"error": {"code": "HTTP_UNAUTHORIZED", "message": "..."}}}.
 *
 * <p>It serves both the routes (as their error handler) and the server's own refusals before
 * any route runs (malformed requests, bodies over the limit), so no answer of this service
 * leaves in another shape. Unexpected failures answer a generic 500 and are logged with their
 * stack trace; their text never reaches the client.
 */
public final class ErrorMapper {

    private static final System.Logger LOG = System.getLogger(ErrorMapper.class.getName());

    private static final String TOO_LARGE = "The request body is larger than this service accepts";

    /** What Helidon says when a request's header block is over its limit (4.5.0), answered 400 by Helidon. */
    private static final String HEADER_SIZE_EXCEEDED = "Header size exceeded";

    private static final Status HEADER_FIELDS_TOO_LARGE = Status.create(431, "Request Header Fields Too Large");

    private static final Map<Integer, String> CODES = Map.ofEntries(
            Map.entry(400, "HTTP_BAD_REQUEST"),
            Map.entry(401, "HTTP_UNAUTHORIZED"),
            Map.entry(403, "HTTP_FORBIDDEN"),
            Map.entry(404, "HTTP_NOT_FOUND"),
            Map.entry(409, "HTTP_CONFLICT"),
            Map.entry(413, "HTTP_PAYLOAD_TOO_LARGE"),
            Map.entry(414, "HTTP_URI_TOO_LONG"),
            Map.entry(415, "HTTP_UNSUPPORTED_MEDIA_TYPE"),
            Map.entry(431, "HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE"),
            Map.entry(500, "HTTP_INTERNAL_SERVER_ERROR"),
            Map.entry(503, "HTTP_SERVICE_UNAVAILABLE"),
            Map.entry(505, "HTTP_VERSION_NOT_SUPPORTED"));

    private ErrorMapper() {}

    record ErrorBody(Detail error) {
        record Detail(String code, String message) {}
    }

    /** An answer to give: its status, code and message, and how long an overloaded client should wait. */
    private record Failure(Status status, String code, String message, Optional<Duration> retryAfter) {

        Failure(Status status, String message) {
            this(status, codeOf(status), message, Optional.empty());
        }

        ErrorBody body() {
            return new ErrorBody(new ErrorBody.Detail(code, message));
        }
    }

    /** Makes this mapper the error handler of every route of {@code routing}. */
    public static void handleErrorsOf(HttpRouting.Builder routing) {
        routing.error(Throwable.class, ErrorMapper::answer);
    }

    /**
     * Handlers for what the server refuses before routing, answering in the same shape.
     *
     * @param maxHeadersBytes the server's limit of a request's header block, for the answer to a
     *                        block over it
     * @param onRefusal       run on the refused request's thread before it is answered (to end a
     *                        deadline on the headers, which the request will not reach, and put one
     *                        on the answer's writing)
     */
    public static DirectHandlers directHandlers(int maxHeadersBytes, Runnable onRefusal) {
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, (request, eventType, status, headers, message) -> {
                onRefusal.run();
                return answerDirectly(request, eventType, status, headers, message, maxHeadersBytes);
            });
        }
        return handlers.build();
    }

    /** Answers {@code error} on {@code response}, as every route error is answered. */
    public static void answer(ServerRequest request, ServerResponse response, Throwable error) {
        Failure failure = error instanceof NotFoundException
                ? new Failure(Status.NOT_FOUND_404, "No route " + request.prologue().method().text() + " "
                        + request.prologue().uriPath().path())
                : classify(error, RefusalWording.of(request));
        // A refusal of our own (the 503 while stopping) is no failure to look into, and would come by the thousand;
        // a send's end is logged by the send, once.
        if (failure.status().code() >= 500 && !(error instanceof HttpError) && !(error instanceof DeliveryFailed)) {
            LOG.log(Level.WARNING, "{0} {1} answered {2}: {3}", request.prologue().method().text(),
                    request.prologue().uriPath().path(), failure.status().code(), failure.message());
        }
        failure.retryAfter().ifPresent(delay -> response.header(HeaderNames.RETRY_AFTER, Long.toString(delay.toSeconds())));
        try {
            Json.send(request, response, failure.status(), failure.body());
        } catch (CloseConnectionException clientGone) {
            // The client went away, or did not take the answer in time: there is no one to tell. Helidon
            // logs anything an error handler throws as a failure, with its stack trace; ConnectionGuard
            // closes the connection instead, having seen the answer begun and never finished.
        }
    }

    private static DirectHandler.TransportResponse answerDirectly(DirectHandler.TransportRequest request,
            DirectHandler.EventType type, Status status, ServerResponseHeaders headers, String serverMessage, int maxHeadersBytes) {
        Failure failure = classifyDirectly(request, type, status, serverMessage, maxHeadersBytes);
        headers.set(HeaderValues.CONTENT_TYPE_JSON);
        return DirectHandler.TransportResponse.builder()
                .status(failure.status())
                .headers(headers)
                .entity(StrictJson.bytes(failure.body()))
                .build();
    }

    /**
     * What the server refused before routing, in words of our own: the server's message may quote
     * the request. Helidon (4.5.0) answers an oversized header block 400 and a request line with an
     * illegal character 500 (having failed before it could read a method); both are the client's
     * doing and get their proper status here.
     */
    private static Failure classifyDirectly(DirectHandler.TransportRequest request, DirectHandler.EventType type,
            Status status, String serverMessage, int maxHeadersBytes) {
        if (status.code() == 400 && HEADER_SIZE_EXCEEDED.equals(serverMessage)) {
            return new Failure(HEADER_FIELDS_TOO_LARGE, "The request's headers are larger than the limit of "
                    + maxHeadersBytes / 1024 + " KiB");
        }
        if (type == DirectHandler.EventType.INTERNAL_ERROR && request.method().isEmpty()) {
            // Helidon gives this handler neither the failure nor the request line, so an illegal
            // method cannot be told from another failure before the request line was read; the
            // illegal method is what reaches here in practice, and a warning per such request
            // would let any client fill the log. Said at DEBUG, for whoever looks into one.
            LOG.log(Level.DEBUG, "Answered 400 to a request that failed before its request line was read");
            return new Failure(Status.BAD_REQUEST_400, "The request line is not valid HTTP");
        }
        return switch (status.code()) {
            case 413 -> new Failure(status, TOO_LARGE);
            case 400 -> new Failure(status, "The request is not valid HTTP");
            case 501 -> new Failure(status, "Only the chunked transfer coding is supported");
            case 505 -> new Failure(status, "HTTP/1.0 is not supported; use HTTP/1.1");
            default -> new Failure(status, status.code() >= 500 ? "Internal server error" : status.reasonPhrase());
        };
    }

    private static Failure classify(Throwable error, RefusalWording wording) {
        return switch (error) {
            case HttpError http -> new Failure(http.status(), codeOf(http.status()), http.getMessage(),
                    http.retryAfter());
            case ServiceFailure failure -> classify(failure, wording);
            case RequestException request when request.status().code() == 413 -> new Failure(request.status(), TOO_LARGE);
            case RequestException request when request.status().code() < 500 ->
                    new Failure(request.status(), request.status().reasonPhrase());
            case HttpException http when http.status().code() < 500 ->
                    new Failure(http.status(), http.status().reasonPhrase());
            default -> {
                LOG.log(Level.ERROR, "Unexpected failure while answering a request", error);
                yield new Failure(Status.INTERNAL_SERVER_ERROR_500, "Internal server error");
            }
        };
    }

    /**
     * Every failure of a use case, each answered as the contract says: the compiler checks none is
     * missed. A refusal of input is worded as its route words them.
     */
    private static Failure classify(ServiceFailure failure, RefusalWording wording) {
        return switch (failure) {
            case NotConfigured notConfigured -> new Failure(Status.BAD_REQUEST_400, notConfigured.getMessage());
            case InvalidInput invalid -> new Failure(Status.BAD_REQUEST_400, wording.code(), wording.message(invalid),
                    Optional.empty());
            case BackendUnavailable down -> new Failure(Status.SERVICE_UNAVAILABLE_503, codeOf(Status.SERVICE_UNAVAILABLE_503),
                    down.getMessage(), down.retryAfter());
            case WriteConflict conflict -> new Failure(Status.CONFLICT_409, conflict.getMessage());
            case DeliveryFailed failed -> switch (failed.ending()) {
                case TEMPORARY -> new Failure(Status.SERVICE_UNAVAILABLE_503, "SMTP_TEMPORARY_FAILURE", failed.getMessage(),
                        failed.retryAfter());
                case REFUSED -> new Failure(Status.BAD_GATEWAY_502, "SMTP_REFUSED", failed.getMessage(), Optional.empty());
                case UNCERTAIN -> new Failure(Status.GATEWAY_TIMEOUT_504, "SMTP_OUTCOME_UNKNOWN", failed.getMessage(),
                        Optional.empty());
            };
            case Overloaded overloaded -> new Failure(Status.SERVICE_UNAVAILABLE_503, codeOf(Status.SERVICE_UNAVAILABLE_503),
                    overloaded.getMessage(), Optional.of(overloaded.retryAfter()));
        };
    }

    private static String codeOf(Status status) {
        return CODES.getOrDefault(status.code(),
                "HTTP_" + status.reasonPhrase().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_"));
    }
}
