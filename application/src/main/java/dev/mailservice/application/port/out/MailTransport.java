package dev.mailservice.application.port.out;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.domain.MailMessage;
import java.util.function.Supplier;

/**
 * Sends mail through one SMTP configuration, From its {@code fromEmail}. Safe to use from many
 * threads at once.
 */
public interface MailTransport extends AutoCloseable {

    /**
     * Sends the message {@code composer} makes, and returns once the SMTP server has accepted it.
     *
     * <p>The message is made only when a connection is ready to take it: a send that waits for a
     * connection holds its request, not the rendered mail and what the transport builds of it,
     * which under a burst of sends would fill the heap with mail that is not going anywhere yet.
     * What {@code composer} throws ends the send with nothing written to the server.
     *
     * @throws DeliveryFailed if the server refused the message or could not be reached
     */
    void send(Supplier<MailMessage> composer);

    /** Releases the connections this transport holds. Called once, after its last send. */
    @Override
    void close();
}
