package dev.mailservice.adapters.mail;

import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.net.Inet6Address;
import java.net.InetAddress;
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
     * username alone is refused before anything is sent. A login that the server gives no way to
     * make, since it offers no SMTP AUTH at all, is refused here ({@link NoLoginOffered}): Angus
     * would carry on without one, and mail would go out unauthenticated although a login was set.
     */
    @Override
    protected synchronized boolean protocolConnect(String host, int port, String user, String password)
            throws MessagingException {
        boolean connected = super.protocolConnect(configuration.asciiHost(), configuration.port(), login.user(),
                login.password());
        // Angus logs in on either: an AUTH line, or the old form AUTH=LOGIN alone.
        if (connected && login.user() != null && !supportsExtension("AUTH") && !supportsExtension("AUTH=LOGIN")) {
            throw new NoLoginOffered(noAuthOffered());
        }
        return connected;
    }

    /**
     * That the server offers no SMTP AUTH, as the verification's auth step and a send's failure both
     * say it: on a connection still in plain text, that it may offer AUTH only over TLS, as many
     * servers do (with STARTTLS offered, the connection would have been upgraded by now).
     */
    private String noAuthOffered() {
        if (!isSSL()) {
            return "offers no SMTP AUTH on this connection in plain text, nor STARTTLS to upgrade it: it may offer "
                    + "AUTH only over TLS, as on its implicit TLS port (usually 465, with secure true)";
        }
        return "offers no SMTP AUTH, even " + (configuration.implicitTls() ? "over TLS" : "after STARTTLS");
    }

    /** A login was set, and the server offers no SMTP AUTH: no login was tried, no mail sent. */
    static final class NoLoginOffered extends AuthenticationFailedException {

        private static final long serialVersionUID = 1L;

        /** @param offers what the server offers, following its name: {@code offers no SMTP AUTH ...} */
        NoLoginOffered(String offers) {
            super(offers);
        }
    }

    /**
     * The name this client gives itself in EHLO (or HELO): the connection's own address as an address
     * literal ({@code [192.0.2.7]}, {@code [IPv6:2001:db8:0:0:0:0:0:7]}), as RFC 5321 allows (4.1.4).
     * Angus's own choice is the local host's name looked up in DNS from its address, on every new
     * connection and within no timeout of the service: a slow resolver would hold a send past its
     * deadline. (In a container, where that name has no dot, PipesHub's nodemailer sends an address
     * literal too.) Angus's NTLM login gives this name as its workstation, cut at its first dot.
     */
    @Override
    public synchronized String getLocalHost() {
        InetAddress address = socket.getLocalAddress();
        return address instanceof Inet6Address
                ? "[IPv6:" + address.getHostAddress().replaceFirst("%.*$", "") + "]"
                : "[" + address.getHostAddress() + "]";
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
