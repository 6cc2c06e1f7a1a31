package dev.mailservice.adapters.http.answers;

import io.helidon.http.Status;
import java.time.Duration;
import java.util.Optional;

/** A request refused at the HTTP level (token, route, body, load), with the status to answer. */
public final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Status status;
    private final transient Duration retryAfter;

    private HttpError(Status status, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    private HttpError(Status status, String message) {
        this(status, message, null);
    }

    public Status status() {
        return status;
    }

    /** How long the client should wait before it tries again, for an overload. */
    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public static HttpError badRequest(String message) {
        return new HttpError(Status.BAD_REQUEST_400, message);
    }

    public static HttpError unauthorized(String message) {
        return new HttpError(Status.UNAUTHORIZED_401, message);
    }

    public static HttpError forbidden(String message) {
        return new HttpError(Status.FORBIDDEN_403, message);
    }

    public static HttpError notFound(String message) {
        return new HttpError(Status.NOT_FOUND_404, message);
    }

    public static HttpError conflict(String message) {
        return new HttpError(Status.CONFLICT_409, message);
    }

    public static HttpError payloadTooLarge(String message) {
        return new HttpError(Status.REQUEST_ENTITY_TOO_LARGE_413, message);
    }

    public static HttpError unsupportedMediaType(String message) {
        return new HttpError(Status.UNSUPPORTED_MEDIA_TYPE_415, message);
    }

    public static HttpError serviceUnavailable(String message) {
        return new HttpError(Status.SERVICE_UNAVAILABLE_503, message);
    }

    /** An overload: 503, and the client may try again after {@code retryAfter}. */
    public static HttpError overloaded(String message, Duration retryAfter) {
        return new HttpError(Status.SERVICE_UNAVAILABLE_503, message, retryAfter);
    }
}
