package dev.mailservice.adapters.mail;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.Mailbox;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A {@link MailTransport} for one configuration, sending over a small pool of connections that
 * stay open between sends (shared with other transports to the same server and user).
 */
final class JakartaMailTransport implements MailTransport {

    private static final String UTF_8 = StandardCharsets.UTF_8.name();

    private final SmtpConfiguration configuration;
    private final Session session;
    private final SmtpConnectionPool connections;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param connections the pool to send over
     * @param onClose     gives the pool back when this transport is closed
     */
    JakartaMailTransport(SmtpConfiguration configuration, Session session, SmtpConnectionPool connections,
            Runnable onClose) {
        this.configuration = configuration;
        this.session = session;
        this.connections = connections;
        this.onClose = onClose;
    }

    @Override
    public void send(Supplier<MailMessage> composer) {
        try {
            Transport connection = connections.borrow();
            // A connection serves the next send unless a message was begun on it and not accepted.
            boolean reusable = true;
            try {
                MimeMessage mime = toMime(configuration, session, composer.get());
                Address[] recipients = mime.getAllRecipients();
                reusable = false;
                connection.sendMessage(mime, recipients);
                reusable = true;
            } finally {
                connections.giveBack(connection, reusable);
            }
        } catch (MessagingException e) {
            throw new DeliveryFailed(describe(e), e);
        }
    }

    /** Gives the pool back (once, however often it is called); no send uses this transport any more. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    /**
     * Opens a connection for {@code configuration} on {@code session}, logged in when it has a
     * username (a password alone cannot log in, and is not sent).
     */
    static Transport connect(SmtpConfiguration configuration, Session session) throws MessagingException {
        Transport connection = session.getTransport();
        connection.connect(
                configuration.asciiHost(),
                configuration.port(),
                configuration.username().orElse(null),
                configuration.username().flatMap(user -> configuration.password()).map(Password::reveal).orElse(null));
        return connection;
    }

    /** {@code message} as a MIME message From {@code configuration}'s {@code fromEmail}; for the probe's test mail too. */
    static MimeMessage toMime(SmtpConfiguration configuration, Session session, MailMessage message) {
        try {
            MimeMessage mime = new MimeMessage(session);
            mime.setFrom(sender(configuration.fromEmail()));
            mime.setRecipients(Message.RecipientType.TO, internetAddresses(message.to()));
            if (!message.cc().isEmpty()) {
                mime.setRecipients(Message.RecipientType.CC, internetAddresses(message.cc()));
            }
            mime.setSubject(message.subject(), UTF_8);
            mime.setSentDate(new Date());
            mime.setContent(body(message));
            mime.saveChanges();
            return mime;
        } catch (MessagingException e) {
            throw new DeliveryFailed("The mail could not be composed: " + e.getMessage(), e);
        }
    }

    /** HTML with its plain-text alternative, inside a mixed part when files are attached. */
    private static MimeMultipart body(MailMessage message) throws MessagingException {
        MimeBodyPart text = new MimeBodyPart();
        text.setText(message.textBody(), UTF_8, "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(message.htmlBody(), UTF_8, "html");
        MimeMultipart alternative = new MimeMultipart("alternative", text, html);
        if (message.attachments().isEmpty()) {
            return alternative;
        }
        MimeBodyPart readable = new MimeBodyPart();
        readable.setContent(alternative);
        MimeMultipart mixed = new MimeMultipart("mixed", readable);
        for (MailMessage.Attachment attachment : message.attachments()) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(attachment.content(), attachment.contentType())));
            part.setFileName(attachment.filename());
            part.setDisposition(MimeBodyPart.ATTACHMENT);
            mixed.addBodyPart(part);
        }
        return mixed;
    }

    private static InternetAddress[] internetAddresses(List<EmailAddress> addresses) throws MessagingException {
        InternetAddress[] result = new InternetAddress[addresses.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = internetAddress(addresses.get(i));
        }
        return result;
    }

    private static InternetAddress internetAddress(EmailAddress address) throws MessagingException {
        return new InternetAddress(address.value(), true);
    }

    /** The From address, its display name encoded for the header where it is not plain ASCII. */
    private static InternetAddress sender(Mailbox mailbox) throws MessagingException {
        InternetAddress address = internetAddress(mailbox.address());
        if (mailbox.displayName().isPresent()) {
            try {
                address.setPersonal(mailbox.displayName().get(), UTF_8);
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException("UTF-8 is part of every JDK", e);
            }
        }
        return address;
    }

    /**
     * What went wrong, for the client and the log: the server's own reply where there is one,
     * else the network cause. Jakarta Mail never puts the password in these messages.
     */
    private String describe(MessagingException e) {
        String server = "the SMTP server " + configuration.address();
        if (e instanceof AuthenticationFailedException) {
            return "The SMTP server " + configuration.address() + " refused the login of user '"
                    + configuration.username().orElse("") + "': " + reply(e);
        }
        return switch (rootCause(e)) {
            case UnknownHostException ignored -> "Cannot resolve the host name of " + server;
            case ConnectException connect -> "Cannot connect to " + server + ": " + connect.getMessage();
            case SocketTimeoutException ignored -> "No answer in time from " + server;
            case IOException io -> "The connection to " + server + " failed: " + io.getMessage();
            default -> "The SMTP server " + configuration.address() + " did not accept the mail: " + reply(e);
        };
    }

    /** The server replies along the chain of nested exceptions, e.g. one per refused recipient. */
    private static String reply(MessagingException e) {
        StringBuilder reply = new StringBuilder(String.valueOf(e.getMessage()).strip());
        Exception next = e.getNextException();
        while (next instanceof MessagingException nested) {
            String text = String.valueOf(nested.getMessage()).strip();
            if (!reply.toString().contains(text)) {
                reply.append("; ").append(text);
            }
            next = nested.getNextException();
        }
        return reply.toString();
    }

    static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
