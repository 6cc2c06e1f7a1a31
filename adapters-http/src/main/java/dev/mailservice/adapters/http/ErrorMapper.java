package dev.mailservice.adapters.http;

import dev.mailservice.application.port.in.NoSmtpConfigurationStoredException;
import dev.mailservice.application.port.in.SmtpNotConfiguredException;
import dev.mailservice.application.port.out.ConfigBackendUnavailableException;
import dev.mailservice.application.port.out.MailDeliveryException;
import dev.mailservice.domain.InvalidInputException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Map;

/**
 * The one place that turns a failure into an answer, in the contract's shape:
 * {@code {"error": {"code": "HTTP_UNAUTHORIZED", "message": "..."}}}.
 *
 * <p>It serves both the routes (as their error handler) and the server's own refusals before
 * any route runs (malformed requests, bodies over the limit), so no answer of this service
 * leaves in another shape. Unexpected failures answer a generic 500 and are logged with their
 * stack trace; their text never reaches the client.
 */
final class ErrorMapper {

    private static final System.Logger LOG = System.getLogger(ErrorMapper.class.getName());

    private static final String TOO_LARGE = "The request body is larger than this service accepts";

    private static final Map<Integer, String> CODES = Map.of(
            400, "HTTP_BAD_REQUEST",
            401, "HTTP_UNAUTHORIZED",
            403, "HTTP_FORBIDDEN",
            404, "HTTP_NOT_FOUND",
            413, "HTTP_PAYLOAD_TOO_LARGE",
            500, "HTTP_INTERNAL_SERVER_ERROR",
            503, "HTTP_SERVICE_UNAVAILABLE");

    private ErrorMapper() {}

    record ErrorBody(Detail error) {
        record Detail(String code, String message) {}
    }

    private record Failure(Status status, String message) {}

    /** Makes this mapper the error handler of every route of {@code routing}. */
    static void handleErrorsOf(HttpRouting.Builder routing) {
        routing.error(Throwable.class, ErrorMapper::answer);
    }

    /** Handlers for what the server refuses before routing, answering in the same shape. */
    static DirectHandlers directHandlers() {
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            handlers.addHandler(type, ErrorMapper::answerDirectly);
        }
        return handlers.build();
    }

    static ErrorBody body(Status status, String message) {
        return new ErrorBody(new ErrorBody.Detail(codeOf(status), message));
    }

    private static void answer(ServerRequest request, ServerResponse response, Throwable error) {
        Failure failure = classify(error);
        // A refusal of our own (the 503 while stopping) is no failure to look into, and would come by the thousand.
        if (failure.status().code() >= 500 && !(error instanceof HttpError)) {
            LOG.log(Level.WARNING, "{0} {1} answered {2}: {3}", request.prologue().method().text(),
                    request.prologue().uriPath().path(), failure.status().code(), failure.message());
        }
        Json.send(response, failure.status(), body(failure.status(), failure.message()));
    }

    private static DirectHandler.TransportResponse answerDirectly(DirectHandler.TransportRequest request,
            DirectHandler.EventType type, Status status, ServerResponseHeaders headers, String serverMessage) {
        // The server's own message may quote the request; answer with words of our own.
        String message = switch (status.code()) {
            case 413 -> TOO_LARGE;
            case 400 -> "The request is not valid HTTP";
            default -> status.code() >= 500 ? "Internal server error" : status.reasonPhrase();
        };
        headers.set(HeaderValues.CONTENT_TYPE_JSON);
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .entity(Json.bytes(body(status, message)))
                .build();
    }

    private static Failure classify(Throwable error) {
        return switch (error) {
            case HttpError http -> new Failure(http.status(), http.getMessage());
            case InvalidInputException invalid -> new Failure(Status.BAD_REQUEST_400, invalid.getMessage());
            case SmtpNotConfiguredException notConfigured -> new Failure(Status.BAD_REQUEST_400, notConfigured.getMessage());
            case NoSmtpConfigurationStoredException none -> new Failure(Status.NOT_FOUND_404, none.getMessage());
            case ConfigBackendUnavailableException down -> new Failure(Status.SERVICE_UNAVAILABLE_503, down.getMessage());
            case MailDeliveryException failed -> new Failure(Status.INTERNAL_SERVER_ERROR_500, failed.getMessage());
            case RequestException request when request.status().code() == 413 -> new Failure(request.status(), TOO_LARGE);
            case RequestException request when request.status().code() < 500 ->
                    new Failure(request.status(), request.status().reasonPhrase());
            default -> {
                LOG.log(Level.ERROR, "Unexpected failure while answering a request", error);
                yield new Failure(Status.INTERNAL_SERVER_ERROR_500, "Internal server error");
            }
        };
    }

    private static String codeOf(Status status) {
        return CODES.getOrDefault(status.code(),
                "HTTP_" + status.reasonPhrase().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_"));
    }
}
