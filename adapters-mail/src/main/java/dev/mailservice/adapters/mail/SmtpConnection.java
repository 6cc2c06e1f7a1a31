package dev.mailservice.adapters.mail;

import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.util.SocketFetcher;

/**
 * One open, logged-in connection to an SMTP server, which sends mail and, when a mail fails, says
 * how far it had got ({@link SmtpFailure}): before the server was handed the mail, the mail can be
 * tried again; once its whole text and end were written, it must not be.
 */
final class SmtpConnection {

    private final Tracked transport;
    private final SmtpSocket socket;
    private final String server;
    private int mails;

    private SmtpConnection(Tracked transport, SmtpSocket socket, String server) {
        this.transport = transport;
        this.socket = socket;
        this.server = server;
    }

    /**
     * Connects to {@code configuration}'s server, with TLS from the first byte where it is implicit,
     * and has Angus Mail greet, upgrade with STARTTLS and log in as {@code session}'s settings say;
     * all of it before {@code deadline} ({@link System#nanoTime()}'s terms).
     *
     * @param timeout the limit of connecting and of each read and write
     */
    static SmtpConnection open(SmtpConfiguration configuration, Session session, Duration timeout, long deadline)
            throws SmtpFailure {
        SmtpSocket socket = null;
        Tracked transport = null;
        try {
            socket = new SmtpSocket(timeout);
            socket.deadline(deadline);
            InetAddress address = resolve(configuration.asciiHost(), TimeUnit.MILLISECONDS.toNanos(socket.limitMillis()));
            socket.connect(new InetSocketAddress(address, configuration.port()), socket.limitMillis());
            Socket smtp = configuration.implicitTls()
                    ? SocketFetcher.startTLS(socket, configuration.asciiHost(), session.getProperties(), "mail.smtp")
                    : socket;
            transport = new Tracked(session, configuration, socket);
            transport.connect(smtp);
            socket.noDeadline();
            return new SmtpConnection(transport, socket, "the SMTP server " + configuration.address());
        } catch (IOException | MessagingException e) {
            SmtpSocket.closeQuietly(socket);
            throw openingFailure(configuration, e, transport);
        } catch (RuntimeException | Error e) {
            SmtpSocket.closeQuietly(socket);
            throw e;
        }
    }

    /**
     * Sends {@code mime} to {@code recipients} before {@code deadline}.
     *
     * @throws SmtpFailure where the mail was when the attempt failed
     */
    void send(MimeMessage mime, List<InternetAddress> recipients, long deadline) throws SmtpFailure {
        socket.deadline(deadline);
        transport.begin();
        mails++;
        try {
            transport.sendMessage(mime, recipients.toArray(Address[]::new));
        } catch (MessagingException e) {
            throw sendingFailure(e, recipients);
        } catch (IllegalStateException notConnected) {
            // Angus closed the connection after an earlier failure on it: nothing was written.
            throw SmtpFailure.of(SmtpFailure.Reason.CONNECTION_CLOSED, capitalized(server) + " had closed the "
                    + "connection before this mail", notConnected);
        } finally {
            socket.noDeadline();
        }
    }

    /** The server's reply to the last command, fit to show. */
    String lastReply() {
        return transport.lastReply();
    }

    /** Whether the server still answers (SMTP NOOP), asked before {@code deadline}. */
    boolean answers(long deadline) {
        socket.deadline(deadline);
        try {
            return transport.isConnected();
        } finally {
            socket.noDeadline();
        }
    }

    /**
     * How many mails were begun on this connection (each {@code MAIL FROM}), whatever became of them: what a
     * server counts when it limits mails a connection.
     */
    int mails() {
        return mails;
    }

    /** Says goodbye (QUIT) within the timeout, and closes. */
    void close() {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException e) {
            // The connection is being thrown away; a failed QUIT changes nothing.
        } finally {
            SmtpSocket.closeQuietly(socket);
        }
    }

    /**
     * {@code host}'s address, looked up within {@code waitNanos} (the JDK's resolver has no limit of its
     * own; a lookup left running ends by itself), carrying the host name as given: Angus names the
     * server by the address's host name, for STARTTLS's certificate check among others, and an
     * address without one (an IP literal) would be named by a reverse DNS lookup instead.
     *
     * @throws UnknownHostException   if the name does not resolve
     * @throws SocketTimeoutException if no answer came in time
     */
    static InetAddress resolve(String host, long waitNanos) throws UnknownHostException, SocketTimeoutException {
        CompletableFuture<InetAddress> lookup = CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getByAddress(host, InetAddress.getByName(host).getAddress());
            } catch (UnknownHostException e) {
                throw new CompletionException(e);
            }
        }, task -> Thread.ofVirtual().name("smtp-dns").start(task));
        try {
            return lookup.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof UnknownHostException unknown ? unknown
                    : new UnknownHostException(host + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no DNS answer for " + host + " in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketTimeoutException("interrupted while looking up " + host);
        }
    }

    private static SmtpFailure openingFailure(SmtpConfiguration configuration, Exception e, Tracked transport) {
        String server = "the SMTP server " + configuration.address();
        String reply = transport == null ? "" : transport.lastReply();
        int greeting = transport == null ? 0 : transport.greeting;
        if (e instanceof AuthenticationFailedException && !causedBy(e, IOException.class::isInstance)
                && transport != null && transport.getLastReturnCode() > 0) {
            int code = transport.getLastReturnCode();
            String refusal = capitalized(server) + " refused the login of user '" + configuration.username().orElse("")
                    + "': " + reply;
            if (code == 432) {
                return SmtpFailure.refusedForItsLimit(refusal, e);
            }
            return SmtpFailure.of(code >= 400 && code < 500 ? SmtpFailure.Reason.TEMPORARY_REFUSAL
                    : SmtpFailure.Reason.REFUSED, refusal, e);
        }
        if (greeting >= 400 && greeting < 500) {
            return SmtpFailure.refusedForItsLimit(capitalized(server) + " refused the connection: " + reply, e);
        }
        if (greeting >= 500) {
            return SmtpFailure.of(SmtpFailure.Reason.REFUSED, capitalized(server) + " refused the connection: " + reply, e);
        }
        if (untrusted(e)) {
            return SmtpFailure.of(SmtpFailure.Reason.REFUSED, "The TLS certificate of " + server
                    + " is not trusted: " + rootCause(e).getMessage(), e);
        }
        if (String.valueOf(e.getMessage()).contains("STARTTLS is required")) {
            return SmtpFailure.of(SmtpFailure.Reason.REFUSED, capitalized(server)
                    + " does not offer STARTTLS, and SMTP_REQUIRE_TLS demands TLS", e);
        }
        return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, lost(server, rootCause(e)), e);
    }

    private SmtpFailure sendingFailure(MessagingException e, List<InternetAddress> recipients) {
        Phase phase = transport.phase;
        int code = transport.worstReply;
        String reply = transport.worstReplyText;
        Throwable root = rootCause(e);
        // Open, and the server did not end the stream (as it may after a refusal, under the reset that follows it).
        boolean kept = !socket.isClosed() && !transport.streamEnded;
        if (phase == Phase.DOT_SENT) {
            if (code >= 500) {
                return refusedForGood(notAccepted(reply), kept, e);
            }
            if (code >= 400) {
                return refusedForNow(code, notAccepted(reply), kept, e);
            }
            return SmtpFailure.of(SmtpFailure.Reason.UNCERTAIN, capitalized(server) + " took the whole mail but gave no "
                    + "answer to its end (" + unanswered(root) + "): it may have been delivered", e);
        }
        if (phase == Phase.RCPT_TO && e instanceof SendFailedException refusal) {
            return recipientsRefused(refusal, recipients, kept);
        }
        if (code >= 500) {
            return refusedForGood(notAccepted(reply), kept, e);
        }
        // A kept connection that turns out closed at its next mail (a reset, the end of the stream, or a 421
        // saying so) is the server's idle or per-connection limit; one that turns out silent is not.
        boolean closedUnderIt = code == 421 || code == 0 && !(root instanceof SocketTimeoutException);
        if (phase == Phase.MAIL_FROM && mails > 1 && closedUnderIt) {
            return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_CLOSED, capitalized(server) + " closed a kept "
                    + "connection before its next mail" + (code == 421 ? ": " + reply : ""), e);
        }
        if (code >= 400) {
            return refusedForNow(code, notAccepted(reply), kept, e);
        }
        return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, lost(server, root), e);
    }

    /**
     * The RCPT TO replies: any 5xx refuses the mail for good, naming the refused addresses; 452 after
     * some were taken is the server's limit on recipients a mail; any other 4xx, a refusal for now; no
     * reply at all, a lost connection.
     */
    private SmtpFailure recipientsRefused(SendFailedException refusal, List<InternetAddress> recipients, boolean kept) {
        List<String> refusedForGood = new ArrayList<>();
        int firstTooMany = -1;
        String firstForNow = null;
        int worst = 0;
        // Angus chains one failure per refused address; a reply it cannot place it throws on its own.
        Exception first = refusal instanceof SMTPAddressFailedException ? refusal : refusal.getNextException();
        for (Exception next = first; next instanceof MessagingException nested; next = nested.getNextException()) {
            if (!(nested instanceof SMTPAddressFailedException address)) {
                continue;
            }
            int code = address.getReturnCode();
            if (code < 400) {
                return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, "The connection to " + server
                        + " failed at a recipient: " + ServerReplies.shown(address.getMessage(), transport.configuration),
                        refusal);
            }
            String said = ServerReplies.shown(address.getMessage(), transport.configuration);
            worst = Math.max(worst, code);
            if (code >= 500) {
                refusedForGood.add(address.getAddress().getAddress() + " (" + said + ")");
            } else if (firstForNow == null) {
                firstForNow = said;
                firstTooMany = code == 452 ? recipients.indexOf(address.getAddress()) : -1;
            } else if (code != 452) {
                firstTooMany = -1;
            }
        }
        if (!refusedForGood.isEmpty()) {
            return refusedForGood(capitalized(server) + " refused the recipient" + (refusedForGood.size() == 1 ? " " : "s ")
                    + String.join(", ", refusedForGood), kept, refusal);
        }
        if (firstForNow == null) {
            return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, lost(server, rootCause(refusal)), refusal);
        }
        String description = notAccepted(firstForNow);
        if (firstTooMany > 0 && kept) {
            return SmtpFailure.recipientLimit(firstTooMany, capitalized(server) + " takes " + firstTooMany
                    + " recipient" + (firstTooMany == 1 ? "" : "s") + " a mail: " + description, refusal);
        }
        return refusedForNow(worst, description, kept, refusal);
    }

    /** A 5xx: the connection is kept if the server left it open (it took the reset that followed). */
    private static SmtpFailure refusedForGood(String description, boolean kept, Exception e) {
        return kept ? SmtpFailure.onUsableConnection(SmtpFailure.Reason.REFUSED, description, e)
                : SmtpFailure.of(SmtpFailure.Reason.REFUSED, description, e);
    }

    /** A 4xx: the connection is kept unless the server said it closes it (421) or did. */
    private static SmtpFailure refusedForNow(int code, String description, boolean kept, Exception e) {
        return code != 421 && kept
                ? SmtpFailure.onUsableConnection(SmtpFailure.Reason.TEMPORARY_REFUSAL, description, e)
                : SmtpFailure.of(SmtpFailure.Reason.TEMPORARY_REFUSAL, description, e);
    }

    private String notAccepted(String reply) {
        return capitalized(server) + " did not accept the mail: " + reply;
    }

    /** What became of a connection, in words, from the network's failure. */
    private static String lost(String server, Throwable root) {
        return switch (root) {
            case SmtpSocket.DeadlinePassed ignored -> "No answer from " + server + " before the send's deadline";
            case SmtpSocket.ReplyTooLong tooLong -> capitalized(server) + " was dropped: " + tooLong.getMessage();
            case UnknownHostException ignored -> "Cannot resolve the host name of " + server;
            case ConnectException connect -> "Cannot connect to " + server + ": " + connect.getMessage();
            case SocketTimeoutException ignored -> "No answer in time from " + server;
            case IOException io -> "The connection to " + server + " failed: " + io.getMessage();
            default -> "The connection to " + server + " failed: " + root.getMessage();
        };
    }

    /** Why no answer came to the end of a mail, in a few words. */
    private static String unanswered(Throwable root) {
        return switch (root) {
            case SmtpSocket.DeadlinePassed ignored -> "the send's deadline passed";
            case SocketTimeoutException ignored -> "none came in time";
            case IOException io -> io.getMessage();
            default -> "the connection was closed";
        };
    }

    /**
     * Whether TLS failed on the server's certificate, which no second attempt mends: the JDK's
     * check of the chain, or Angus's of the host name.
     */
    private static boolean untrusted(Exception e) {
        return causedBy(e, cause -> cause instanceof CertificateException
                || cause instanceof SSLException ssl && String.valueOf(ssl.getMessage()).startsWith("Server identity"));
    }

    /** Whether {@code failure} or a cause of it is {@code what}. */
    private static boolean causedBy(Throwable failure, Predicate<Throwable> what) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (what.test(cause)) {
                return true;
            }
        }
        return false;
    }

    private static String capitalized(String server) {
        return Character.toUpperCase(server.charAt(0)) + server.substring(1);
    }

    static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** How far a mail has got on the connection. */
    private enum Phase {
        /** Greeting, EHLO, STARTTLS, AUTH. */
        OPENING,
        /** Logged in, between mails. */
        READY,
        MAIL_FROM,
        RCPT_TO,
        /** The DATA command. */
        DATA,
        /** The mail's text is being written. */
        BODY,
        /** The whole mail and its end were written: from here, the server may have taken it. */
        DOT_SENT
    }

    /** Angus's client, noting the phase of each mail and the worst reply of the phase. */
    private static final class Tracked extends ConfiguredTransport {

        volatile Phase phase = Phase.OPENING;
        /** The greeting's reply code, once read. */
        int greeting;
        /** The highest 4xx or 5xx reply code of the current phase; 0 while none came. */
        int worstReply;
        /** That reply, fit to show: Angus forgets it when the reset that follows fails. */
        String worstReplyText = "";
        /** Whether a reply was the end of the stream (or not a reply at all): the connection is spent. */
        boolean streamEnded;

        Tracked(Session session, SmtpConfiguration configuration, SmtpSocket socket) {
            super(session, configuration, socket);
        }

        /** A new mail starts. */
        void begin() {
            enter(Phase.READY);
        }

        private void enter(Phase next) {
            phase = next;
            worstReply = 0;
            worstReplyText = "";
        }

        @Override
        protected int readServerResponse() throws MessagingException {
            int code = super.readServerResponse();
            streamEnded |= code == -1;
            if (phase == Phase.OPENING && greeting == 0) {
                greeting = code;
            }
            if (code >= 400 && code > worstReply) {
                worstReply = code;
                worstReplyText = lastReply();
            }
            return code;
        }

        @Override
        protected void mailFrom() throws MessagingException {
            enter(Phase.MAIL_FROM);
            super.mailFrom();
        }

        @Override
        protected void rcptTo() throws MessagingException {
            enter(Phase.RCPT_TO);
            super.rcptTo();
        }

        @Override
        protected OutputStream data() throws MessagingException {
            enter(Phase.DATA);
            OutputStream body = super.data();
            enter(Phase.BODY);
            return body;
        }

        /** The end-of-data dot is written through here: once it is, the mail is handed over. */
        @Override
        protected void sendCommand(String command) throws MessagingException {
            super.sendCommand(command);
            if (phase == Phase.BODY && ".".equals(command)) {
                enter(Phase.DOT_SENT);
            }
        }
    }
}
