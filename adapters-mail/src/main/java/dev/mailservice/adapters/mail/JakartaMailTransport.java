package dev.mailservice.adapters.mail;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.domain.Backoff;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.Mailbox;
import dev.mailservice.domain.SmtpConfiguration;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A {@link MailTransport} for one configuration, sending over a small pool of connections that
 * stay open between sends (shared with other transports to the same server and user).
 *
 * <p>A mail the server was not handed is tried again within the send's deadline: at once on a
 * fresh connection when a kept one turned out closed, after a short, growing, jittered delay when
 * the server could not be reached or refused it for now ({@link SmtpFailure.Reason}). A mail whose
 * whole text and end were written is never sent again: without the server's answer, it may have
 * taken it. A server that takes fewer recipients a mail gets the mail again, to as many at a time.
 */
final class JakartaMailTransport implements MailTransport {

    private static final System.Logger LOG = System.getLogger(JakartaMailTransport.class.getName());
    private static final String UTF_8 = StandardCharsets.UTF_8.name();
    /**
     * The waits between attempts after a failure of the server's, before jitter: short at first, since a
     * temporary refusal often clears at once (a lookup that timed out) and a caller is waiting, then growing
     * fast, for one that does not (greylisting, an outage): a few dozen attempts at most in the default deadline.
     */
    private static final Backoff RETRY_DELAYS = new Backoff(Duration.ofMillis(5), Duration.ofSeconds(2));
    /**
     * The least time an attempt is started with: one with less could only be cut short by the deadline
     * (a wait that wakes a little late leaves it none), and its failure would hide what the attempts
     * before it met, such as a refused connection.
     */
    private static final Duration SHORTEST_ATTEMPT = Duration.ofMillis(20);

    private final SmtpConfiguration configuration;
    private final Session session;
    private final SmtpConnectionPool connections;
    private final Duration sendDeadline;
    private final SmtpMeters meters;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param connections  the pool to send over
     * @param sendDeadline the limit of a whole send, every attempt included
     * @param meters       told of every attempt and retry
     * @param onClose      gives the pool back when this transport is closed
     */
    JakartaMailTransport(SmtpConfiguration configuration, Session session, SmtpConnectionPool connections,
            Duration sendDeadline, SmtpMeters meters, Runnable onClose) {
        this.configuration = configuration;
        this.session = session;
        this.connections = connections;
        this.sendDeadline = sendDeadline;
        this.meters = meters;
        this.onClose = onClose;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A configuration with a username but nothing to log in with is refused before any
     * connection: Angus, told to log in without a password, fails as if the connection had, and the
     * send would be tried again until its deadline.
     */
    @Override
    public Sent send(Supplier<MailMessage> composer) {
        if (configuration.username().isPresent() && !configuration.logsIn()) {
            throw DeliveryFailed.refused("The SMTP server " + configuration.address() + " cannot be logged in to: the "
                    + "configuration sets a username but no password; set the password, or remove the username to "
                    + "send without a login; nothing was delivered", 0, null);
        }
        return new Delivery(composer, System.nanoTime() + sendDeadline.toNanos()).run();
    }

    /** Gives the pool back (once, however often it is called); no send uses this transport any more. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    /** One mail on its way to the server: its attempts, until it is delivered or cannot be. */
    private final class Delivery {

        final Supplier<MailMessage> composer;
        final long deadline;
        int attempts;
        /** How many times it waited before an attempt, which sets the next wait. */
        int waits;
        /** The mail, made once, on the first connection ready for it. */
        MimeMessage mime;
        /** Its recipients the server has not taken yet; known once the mail is made. */
        List<InternetAddress> undelivered;
        final List<InternetAddress> delivered = new ArrayList<>();
        /** How many recipients the server takes a mail. */
        int recipientsPerMail = Integer.MAX_VALUE;
        String reply = "";
        /**
         * The last failure that the send's deadline did not cut short: told with what ended the send
         * when that says less of the server (the deadline cutting an attempt short, every connection
         * staying busy).
         */
        SmtpFailure lastUncut;

        Delivery(Supplier<MailMessage> composer, long deadline) {
            this.composer = composer;
            this.deadline = deadline;
        }

        /** The Message-ID the mail was sent with; set when it was written. */
        private Optional<String> messageId() {
            try {
                return Optional.ofNullable(mime.getMessageID());
            } catch (MessagingException unreadable) {
                return Optional.empty();
            }
        }

        Sent run() {
            while (true) {
                attempts++;
                meters.attempted();
                try {
                    attempt();
                    if (undelivered.isEmpty()) {
                        return new Sent(attempts, reply, messageId());
                    }
                } catch (SmtpFailure failure) {
                    tryAgainOrEnd(failure);
                } catch (RuntimeException failure) {
                    // No connection free in time, an interruption, a fault of this service's: a mail that reached
                    // some of its recipients ends as such, whatever stopped the rest.
                    if (!delivered.isEmpty()) {
                        throw DeliveryFailed.uncertain(failure.getMessage() + partly(DeliveryFailed.Ending.TEMPORARY),
                                attempts, failure);
                    }
                    if (failure instanceof Overloaded overloaded && lastUncut != null) {
                        // Busy connections ended the send, but only after an attempt failed: the caller hears of both.
                        throw new Overloaded(overloaded.getMessage() + "; the attempt before that: "
                                + lastUncut.getMessage(), overloaded.retryAfter());
                    }
                    throw failure;
                }
            }
        }

        /** Sends the mail, to as many of its recipients still waiting as the server takes, on one connection. */
        private void attempt() throws SmtpFailure {
            SmtpConnection connection = connections.borrow(deadline);
            // A connection serves the next send unless a mail failed on it in a way that leaves it unusable.
            boolean reusable = true;
            try {
                if (mime == null) {
                    mime = toMime(configuration, session, composer.get());
                    undelivered = recipients(mime);
                }
                List<InternetAddress> batch = undelivered.subList(0, Math.min(recipientsPerMail, undelivered.size()));
                reusable = false;
                connection.send(mime, batch, deadline);
                reusable = true;
                reply = connection.lastReply();
                delivered.addAll(batch);
                batch.clear();
            } catch (SmtpFailure failure) {
                reusable = failure.connectionUsable();
                if (failure.reason() == SmtpFailure.Reason.CONNECTION_CLOSED) {
                    connections.closedByServer(connection);
                }
                throw failure;
            } finally {
                connections.giveBack(connection, reusable);
            }
        }

        /** Waits and returns for another attempt where one is allowed and there is time for it; else ends the send. */
        private void tryAgainOrEnd(SmtpFailure failure) {
            if (!FailureDiagnosis.causedBy(failure, SmtpSocket.DeadlinePassed.class::isInstance)) {
                lastUncut = failure;
            }
            SmtpFailure.Reason reason = failure.reason();
            if (!reason.triedAgain()) {
                throw ended(reason == SmtpFailure.Reason.REFUSED ? DeliveryFailed.Ending.REFUSED
                        : DeliveryFailed.Ending.UNCERTAIN, failure);
            }
            Duration delay = reason.atOnce() ? Duration.ZERO : RETRY_DELAYS.jittered(waits++, ThreadLocalRandom.current());
            if (System.nanoTime() + delay.toNanos() + SHORTEST_ATTEMPT.toNanos() - deadline >= 0) {
                throw ended(DeliveryFailed.Ending.TEMPORARY, failure);
            }
            if (reason == SmtpFailure.Reason.RECIPIENT_LIMIT) {
                recipientsPerMail = failure.recipientLimit();
            }
            meters.retried(reason);
            LOG.log(System.Logger.Level.DEBUG, "Trying the mail again in {0} ms: {1}", delay.toMillis(),
                    failure.getMessage());
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ended(DeliveryFailed.Ending.TEMPORARY, failure);
            }
        }

        /**
         * What became of a mail sent in parts, for a failure that ended it after some of them: when
         * that failure's {@code ending} is uncertain, the recipients of its own part may have the mail;
         * else that part was not handed over.
         */
        private String partly(DeliveryFailed.Ending ending) {
            int lastPart = ending == DeliveryFailed.Ending.UNCERTAIN ? Math.min(recipientsPerMail, undelivered.size()) : 0;
            List<InternetAddress> notSent = undelivered.subList(lastPart, undelivered.size());
            return "; the mail reached " + addresses(delivered)
                    + (lastPart > 0 ? ", may have reached " + addresses(undelivered.subList(0, lastPart)) : "")
                    + (notSent.isEmpty() ? "" : " but not " + addresses(notSent)) + ", and was not sent again";
        }

        /**
         * The failure that ends the send, saying what became of the mail. One that reached some of
         * its recipients (sent in parts to a server taking fewer a mail) must not be sent again whole.
         */
        private DeliveryFailed ended(DeliveryFailed.Ending ending, SmtpFailure last) {
            String tries = " (" + (attempts == 1 ? "1 attempt" : attempts + " attempts") + ")";
            if (!delivered.isEmpty()) {
                return DeliveryFailed.uncertain(last.getMessage() + tries + partly(ending), attempts, last);
            }
            String before = lastUncut != null && lastUncut != last
                    ? "; the attempt before the last: " + lastUncut.getMessage() : "";
            return switch (ending) {
                // What came before goes last: where the message is cut short (a list of recent sends),
                // what became of the mail stays.
                case TEMPORARY -> DeliveryFailed.temporary(last.getMessage() + tries
                        + "; nothing was delivered within the send's deadline of " + sendDeadline.toMillis()
                        + " ms, and the mail may be sent again" + before, attempts, sendDeadline, last);
                case REFUSED -> DeliveryFailed.refused(last.getMessage() + tries + "; nothing was delivered", attempts,
                        last);
                case UNCERTAIN -> DeliveryFailed.uncertain(last.getMessage() + tries + "; it was not sent again",
                        attempts, last);
            };
        }
    }

    /**
     * The mail's recipients, each once, in their order: an address in both To and Cc gets one copy,
     * and a refusal names one position for it (the recipient limit is read from that position).
     */
    private static List<InternetAddress> recipients(MimeMessage mime) {
        try {
            // InternetAddress is equal by its address alone, whatever its case or display name.
            Set<InternetAddress> recipients = new LinkedHashSet<>();
            for (Address address : mime.getAllRecipients()) {
                recipients.add((InternetAddress) address);
            }
            return new ArrayList<>(recipients);
        } catch (MessagingException e) {
            throw new IllegalStateException("The recipients of a mail just made could not be read", e);
        }
    }

    private static String addresses(List<InternetAddress> addresses) {
        return addresses.stream().map(InternetAddress::getAddress).collect(Collectors.joining(", "));
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
            // The domain checked every address and value: a mail that cannot be made is a fault of this service's.
            throw new IllegalStateException("The mail could not be composed: " + e.getMessage(), e);
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
}
