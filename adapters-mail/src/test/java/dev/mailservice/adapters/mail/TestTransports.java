package dev.mailservice.adapters.mail;

import java.time.Duration;
import java.util.Optional;
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
}
