package dev.mailservice.adapters.mail;

import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus Mail's SMTP client on an {@link SmtpSocket} the service made (given to {@link
 * #connect(java.net.Socket)}), logging in to one configuration's server with one {@link SmtpLogin}.
 * Shared by the sends and the verification, so that both speak to a server the same way.
 */
class ConfiguredTransport extends SMTPTransport {

    protected final SmtpConfiguration configuration;
    protected final SmtpLogin login;
    protected final SmtpSocket socket;

    ConfiguredTransport(Session session, SmtpConfiguration configuration, SmtpLogin login, SmtpSocket socket) {
        super(session, new URLName("smtp", configuration.asciiHost(), configuration.port(), null, null, null));
        this.configuration = configuration;
        this.login = login;
        this.socket = socket;
    }

    /**
     * Logs in with the username and the secret (password or access token, by the session's
     * mechanisms), each only with the other: a secret alone cannot log in and is not sent, and a
     * username alone is refused before anything is sent.
     */
    @Override
    protected synchronized boolean protocolConnect(String host, int port, String user, String password)
            throws MessagingException {
        return super.protocolConnect(configuration.asciiHost(), configuration.port(), login.user(), login.password());
    }

    /** Gives each reply its own budget on the socket ({@link SmtpSocket#MAX_REPLY_BYTES}). */
    @Override
    protected int readServerResponse() throws MessagingException {
        socket.replyBegins();
        return super.readServerResponse();
    }

    /** The server's last reply, fit to show ({@link SmtpLogin#shown}). */
    String lastReply() {
        return login.shown(getLastServerResponse());
    }
}
