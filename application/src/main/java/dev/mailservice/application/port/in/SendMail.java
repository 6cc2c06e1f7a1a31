package dev.mailservice.application.port.in;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.domain.MailRequest;

/**
 * Use case: render one of the templates and send it through the sender active at this moment,
 * From the active configuration's {@code fromEmail}. A reload during the send does not disturb it.
 */
public interface SendMail {

    /**
     * Returns once the SMTP server has accepted the mail, tried again where the server did not
     * take it and may later; a mail is delivered once, or not delivered with the reason, never twice.
     *
     * @throws InvalidInput   if the mail has more recipients than the service sends to at once
     * @throws NotConfigured  if no configuration is active
     * @throws DeliveryFailed if the mail was not delivered; its ending says whether it may have been
     * @throws Overloaded     if every connection to the SMTP server stayed busy
     */
    void send(MailRequest request);
}
