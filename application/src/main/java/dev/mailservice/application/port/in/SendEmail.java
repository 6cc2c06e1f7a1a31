package dev.mailservice.application.port.in;

import dev.mailservice.application.port.out.MailDeliveryException;
import dev.mailservice.domain.MailRequest;

/**
 * Use case: render one of the templates and send it through the sender active at this moment,
 * From the active configuration's {@code fromEmail}. A reload during the send does not disturb it.
 */
public interface SendEmail {

    /**
     * Returns once the SMTP server has accepted the mail.
     *
     * @throws SmtpNotConfiguredException if no configuration is active
     * @throws MailDeliveryException      if the SMTP server refused the mail or could not be reached
     */
    void send(MailRequest request);
}
