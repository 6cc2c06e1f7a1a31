package dev.mailservice.application.port.out;

/**
 * The SMTP server refused a message or could not be reached. The message carries the server's
 * reply or the cause, never a password.
 */
public class MailDeliveryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MailDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
