package dev.mailservice.application.port.out;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.domain.SmtpConfiguration;

/** Out-port: builds the transport that sends mail with one SMTP configuration. */
public interface MailTransportFactory {

    /**
     * Builds a transport for {@code configuration} that logs in with {@code credentials} (its
     * password, or the access tokens of its OAuth 2.0 login, with XOAUTH2). It need not contact the SMTP server: a
     * server that is briefly down must not stop a configuration from being applied, and shows
     * up as a failed send instead.
     *
     * @throws InvalidInput if the configuration cannot be used by this transport
     */
    MailTransport create(SmtpConfiguration configuration, SmtpCredentials credentials);
}
