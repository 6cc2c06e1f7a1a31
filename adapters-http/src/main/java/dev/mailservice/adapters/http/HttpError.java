package dev.mailservice.adapters.http;

import io.helidon.http.Status;

/** A request refused at the HTTP level (token, route, body), with the status to answer. */
final class HttpError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Status status;

    private HttpError(Status status, String message) {
        super(message);
        this.status = status;
    }

    Status status() {
        return status;
    }

    static HttpError badRequest(String message) {
        return new HttpError(Status.BAD_REQUEST_400, message);
    }

    static HttpError unauthorized(String message) {
        return new HttpError(Status.UNAUTHORIZED_401, message);
    }

    static HttpError forbidden(String message) {
        return new HttpError(Status.FORBIDDEN_403, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(Status.NOT_FOUND_404, message);
    }

    static HttpError payloadTooLarge(String message) {
        return new HttpError(Status.REQUEST_ENTITY_TOO_LARGE_413, message);
    }

    static HttpError serviceUnavailable(String message) {
        return new HttpError(Status.SERVICE_UNAVAILABLE_503, message);
    }
}
