package dev.mailservice.application.port.out;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.domain.MailMessage;

/**
 * Sends mail through one SMTP configuration, From its {@code fromEmail}. Safe to use from many
 * threads at once.
 */
public interface MailTransport extends AutoCloseable {

    /**
     * Sends {@code message} and returns once the SMTP server has accepted it.
     *
     * @throws DeliveryFailed if the server refused the message or could not be reached
     */
    void send(MailMessage message);

    /** Releases the connections this transport holds. Called once, after its last send. */
    @Override
    void close();
}
