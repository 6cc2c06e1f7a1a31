package dev.mailservice.application.port.out;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.domain.MailMessage;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Sends mail through one SMTP configuration, From its {@code fromEmail}. Safe to use from many
 * threads at once.
 */
public interface MailTransport extends AutoCloseable {

    /**
     * How a mail went out.
     *
     * @param attempts how many times it was tried: more than one when the server did not take it at
     *                 first (a connection it had closed, a temporary refusal) and took it later
     * @param reply    the server's reply to the mail, as it said it
     * @param messageId the mail's Message-ID header, as the transport made it
     */
    record Sent(int attempts, String reply, Optional<String> messageId) {}

    /**
     * Sends the message {@code composer} makes, and returns once the SMTP server has accepted it.
     *
     * <p>A mail the server did not take, and may take later, is tried again within one deadline for
     * the whole send; one the server may have taken is never sent again. So a mail is delivered
     * once, or refused with the reason, never twice.
     *
     * <p>The message is made only when a connection is ready to take it: a send that waits for a
     * connection holds its request, not the rendered mail and what the transport builds of it,
     * which under a burst of sends would fill the heap with mail that is not going anywhere yet.
     * It is made once, however often it is tried. What {@code composer} throws ends the send with
     * nothing written to the server.
     *
     * @throws DeliveryFailed if the mail was not delivered; its ending says whether it may have been
     * @throws Overloaded     if no connection to the server came free in time
     */
    Sent send(Supplier<MailMessage> composer);

    /** Releases the connections this transport holds. Called once, after its last send. */
    @Override
    void close();
}
