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
public interface SendEmail {

    /**
     * Returns once the SMTP server has accepted the mail.
     *
     * @throws InvalidInput   if the mail has more recipients than the service sends to at once
     * @throws NotConfigured  if no configuration is active
     * @throws DeliveryFailed if the SMTP server refused the mail or could not be reached
     * @throws Overloaded     if every connection to the SMTP server stayed busy
     */
    void send(MailRequest request);
}
