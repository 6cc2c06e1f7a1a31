package dev.mailservice.application.failure;

/**
 * The SMTP server refused a message or could not be reached. The message carries the server's
 * reply or the cause, never a password.
 */
public final class DeliveryFailed extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    public DeliveryFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
