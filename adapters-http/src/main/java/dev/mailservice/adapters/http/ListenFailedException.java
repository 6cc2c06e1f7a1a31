package dev.mailservice.adapters.http;


/** The HTTP server could not open its port; the message says which and why. */
public final class ListenFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ListenFailedException(String message) {
        super(message);
    }
}
