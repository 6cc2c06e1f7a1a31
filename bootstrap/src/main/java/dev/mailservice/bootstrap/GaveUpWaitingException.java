package dev.mailservice.bootstrap;

/** Start-up waited as long as it may for something it cannot start without. */
final class GaveUpWaitingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    GaveUpWaitingException(String message) {
        super(message);
    }
}
