package dev.mailservice.adapters.http;

import io.helidon.http.Status;
import java.time.Duration;
import java.util.Optional;

/** A request refused at the HTTP level (token, route, body, load), with the status to answer. */
final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The contract's code for a configuration-manager body that fails validation. */
    static final String VALIDATION_ERROR = "VALIDATION_ERROR";

    private final transient Status status;
    private final String code;
    private final transient Duration retryAfter;

    private HttpError(Status status, String code, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    private HttpError(Status status, String message) {
        this(status, null, message, null);
    }

    Status status() {
        return status;
    }

    /** The error code to answer, when it is not the one the status stands for. */
    Optional<String> code() {
        return Optional.ofNullable(code);
    }

    /** How long the client should wait before it tries again, for an overload. */
    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    static HttpError badRequest(String message) {
        return new HttpError(Status.BAD_REQUEST_400, message);
    }

    /** A configuration-manager body that fails validation: 400 with PipesHub's {@code VALIDATION_ERROR}. */
    static HttpError validation(String message) {
        return new HttpError(Status.BAD_REQUEST_400, VALIDATION_ERROR, message, null);
    }

    static HttpError unauthorized(String message) {
        return new HttpError(Status.UNAUTHORIZED_401, message);
    }

    static HttpError forbidden(String message) {
        return new HttpError(Status.FORBIDDEN_403, message);
    }


    static HttpError payloadTooLarge(String message) {
        return new HttpError(Status.REQUEST_ENTITY_TOO_LARGE_413, message);
    }

    static HttpError unsupportedMediaType(String message) {
        return new HttpError(Status.UNSUPPORTED_MEDIA_TYPE_415, message);
    }

    static HttpError serviceUnavailable(String message) {
        return new HttpError(Status.SERVICE_UNAVAILABLE_503, message);
    }

    /** An overload: 503, and the client may try again after {@code retryAfter}. */
    static HttpError overloaded(String message, Duration retryAfter) {
        return new HttpError(Status.SERVICE_UNAVAILABLE_503, null, message, retryAfter);
    }
}
