package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.Session;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * Builds {@link JakartaMailTransport}s on Angus Mail.
 *
 * <ul>
 *   <li>Port 465 speaks TLS from the first byte (implicit TLS, "SMTPS"); every other port starts
 *       in plain text and upgrades with STARTTLS whenever the server offers it.</li>
 *   <li>The server's certificate and host name are checked against the JDK's trust store.</li>
 *   <li>SMTP AUTH is used when the configuration has a username.</li>
 *   <li>Connecting, and every read and write, give up after {@code timeout}, so a server that
 *       accepts the connection and then stays silent cannot hang a request.</li>
 *   <li>Each transport keeps up to {@code poolSize} connections open between sends; a send waits
 *       at most {@code timeout} for a free one.</li>
 * </ul>
 */
public final class JakartaMailTransportFactory implements MailTransportFactory {

    /** The port on which SMTP runs inside TLS from the start (RFC 8314). */
    static final int IMPLICIT_TLS_PORT = 465;

    private final Duration timeout;
    private final int poolSize;

    /**
     * @param timeout  limit for connecting and for each read and write on the SMTP connection
     * @param poolSize how many connections each transport may keep open
     */
    public JakartaMailTransportFactory(Duration timeout, int poolSize) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the SMTP timeout must be positive, got " + timeout);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("the SMTP connection pool needs at least one connection, got " + poolSize);
        }
        this.timeout = timeout;
        this.poolSize = poolSize;
    }

    @Override
    public MailTransport create(SmtpConfiguration configuration) {
        return new JakartaMailTransport(configuration, Session.getInstance(sessionProperties(configuration)),
                poolSize, timeout);
    }

    /** The Jakarta Mail session settings for {@code configuration}; visible for tests. */
    Properties sessionProperties(SmtpConfiguration configuration) {
        String millis = Long.toString(timeout.toMillis());
        Properties properties = new Properties();
        properties.setProperty("mail.transport.protocol", "smtp");
        properties.setProperty("mail.smtp.host", configuration.host());
        properties.setProperty("mail.smtp.port", Integer.toString(configuration.port()));
        properties.setProperty("mail.smtp.from", configuration.fromEmail().value());
        properties.setProperty("mail.smtp.connectiontimeout", millis);
        properties.setProperty("mail.smtp.timeout", millis);
        properties.setProperty("mail.smtp.writetimeout", millis);
        properties.setProperty("mail.smtp.auth", Boolean.toString(configuration.username().isPresent()));
        properties.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        if (configuration.port() == IMPLICIT_TLS_PORT) {
            properties.setProperty("mail.smtp.ssl.enable", "true");
        } else {
            properties.setProperty("mail.smtp.starttls.enable", "true");
        }
        return properties;
    }
}
