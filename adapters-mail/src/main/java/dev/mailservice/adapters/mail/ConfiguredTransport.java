package dev.mailservice.adapters.mail;

import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.util.Optional;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus Mail's SMTP client on an {@link SmtpSocket} the service made (given to {@link
 * #connect(java.net.Socket)}), logging in as one configuration says. Shared by the sends and the
 * verification, so that both speak to a server the same way.
 */
class ConfiguredTransport extends SMTPTransport {

    protected final SmtpConfiguration configuration;
    protected final SmtpSocket socket;

    ConfiguredTransport(Session session, SmtpConfiguration configuration, SmtpSocket socket) {
        super(session, new URLName("smtp", configuration.asciiHost(), configuration.port(), null, null, null));
        this.configuration = configuration;
        this.socket = socket;
    }

    /**
     * Logs in with the configured username and password, each only with the other: a password
     * alone cannot log in and is not sent, and a username alone is refused before anything is sent.
     */
    @Override
    protected synchronized boolean protocolConnect(String host, int port, String user, String password)
            throws MessagingException {
        Optional<String> secret = configuration.password().map(Password::reveal);
        return super.protocolConnect(configuration.asciiHost(), configuration.port(),
                secret.isPresent() ? configuration.username().orElse(null) : null,
                configuration.username().isPresent() ? secret.orElse(null) : null);
    }

    /** Gives each reply its own budget on the socket ({@link SmtpSocket#MAX_REPLY_BYTES}). */
    @Override
    protected int readServerResponse() throws MessagingException {
        socket.replyBegins();
        return super.readServerResponse();
    }

    /** The server's last reply, fit to show ({@link ServerReplies#shown}). */
    String lastReply() {
        return ServerReplies.shown(getLastServerResponse(), configuration);
    }
}
