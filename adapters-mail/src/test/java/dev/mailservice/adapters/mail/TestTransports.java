package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.SmtpConfiguration;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;

/** Transport factories as tests need them: the limits a test cares about, the service's defaults for the rest. */
final class TestTransports {

    /** The service's defaults for a connection's life (docs/operations.md). */
    static final int CONNECTION_MAX_MAILS = 100;
    static final Duration CONNECTION_MAX_AGE = Duration.ofMinutes(5);

    private TestTransports() {}

    /** Settings with a send deadline of three timeouts, as the service's default is. */
    static SmtpSettings settings(Duration timeout, int poolSize, Duration idleLimit, boolean requireTls) {
        return new SmtpSettings(timeout, timeout.multipliedBy(3), poolSize, idleLimit, CONNECTION_MAX_MAILS,
                CONNECTION_MAX_AGE, requireTls);
    }

    static JakartaMailTransportFactory factory(Duration timeout, int poolSize, Duration idleLimit, boolean requireTls,
            Optional<SSLSocketFactory> tls) {
        return new JakartaMailTransportFactory(settings(timeout, poolSize, idleLimit, requireTls), tls);
    }

    /** {@code factory}'s transport for {@code configuration}, logging in with its password when it logs in. */
    static MailTransport create(JakartaMailTransportFactory factory, SmtpConfiguration configuration) {
        return factory.create(configuration, SmtpCredentials.password(configuration));
    }

    /** {@code factory}'s session settings for {@code configuration}, logging in with its password when it logs in. */
    static Properties sessionProperties(JakartaMailTransportFactory factory, SmtpConfiguration configuration) {
        return factory.sessionProperties(configuration, SmtpCredentials.password(configuration));
    }
}
