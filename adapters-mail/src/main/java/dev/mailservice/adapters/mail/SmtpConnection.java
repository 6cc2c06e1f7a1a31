package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.angus.mail.util.SocketFetcher;

/**
 * One open, logged-in connection to an SMTP server, which sends mail and, when a mail fails, says
 * how far it had got ({@link SmtpFailure}): before the server was handed the mail, the mail can be
 * tried again; once its whole text and end were written, it must not be. Its client notes how far
 * each mail got ({@link MailPhaseTransport}); {@link FailureDiagnosis} reads a failure from that.
 */
final class SmtpConnection {

    private final MailPhaseTransport transport;
    private final SmtpSocket socket;
    private final String server;
    private int mails;

    private SmtpConnection(MailPhaseTransport transport, SmtpSocket socket, String server) {
        this.transport = transport;
        this.socket = socket;
        this.server = server;
    }

    /**
     * Connects to {@code configuration}'s server and logs in with the secret {@code credentials} give
     * now, as {@link #open(SmtpConfiguration, SmtpLogin, Session, Duration, long)} says. An access token
     * the server refuses is replaced once ({@link SmtpCredentials#afterRefusal}) and a new connection
     * logs in with its replacement; the login comes before any mail, so nothing is sent twice.
     *
     * @throws dev.mailservice.application.failure.DeliveryFailed when no access token can be had: before any
     *         connection is made, or after a refusal
     */
    static SmtpConnection open(SmtpConfiguration configuration, SmtpCredentials credentials, Session session,
            Duration timeout, long deadline) throws SmtpFailure {
        long asked = System.nanoTime();
        SmtpLogin login = SmtpLogin.of(configuration, credentials, untilDeadline(deadline));
        long waitedForSecret = System.nanoTime() - asked;
        if (untilDeadline(deadline).isZero()) {
            throw SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, "The send's deadline passed after waiting "
                    + TimeUnit.NANOSECONDS.toMillis(waitedForSecret) + " ms for the OAuth 2.0 access token, before the "
                    + "SMTP server " + configuration.address() + " was reached", null);
        }
        try {
            return open(configuration, login, session, timeout, deadline);
        } catch (SmtpFailure failure) {
            if (!failure.loginRefused() || !login.xoauth2()) {
                throw withTokenWait(failure, login, waitedForSecret);
            }
            long askedAgain = System.nanoTime();
            Optional<Password> replacement = credentials.afterRefusal(login.secret().orElseThrow(), untilDeadline(deadline));
            waitedForSecret += System.nanoTime() - askedAgain;
            if (replacement.isEmpty()) {
                throw failure;
            }
            try {
                return open(configuration, login.renewedWith(replacement.get()), session, timeout, deadline);
            } catch (SmtpFailure renewedFailure) {
                throw withTokenWait(renewedFailure, login, waitedForSecret);
            }
        }
    }

    /**
     * {@code failure}, saying how long the access token took when the send's deadline passed while
     * connecting after it: a slow token endpoint, not the SMTP server alone, spent the time. A token
     * already cached comes in microseconds and is not mentioned.
     */
    private static SmtpFailure withTokenWait(SmtpFailure failure, SmtpLogin login, long waitedNanos) {
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(waitedNanos);
        if (!login.xoauth2() || waitedMillis < 1
                || !FailureDiagnosis.causedBy(failure, SmtpSocket.DeadlinePassed.class::isInstance)) {
            return failure;
        }
        return failure.saying("; " + waitedMillis + " ms of the send's time went waiting for the OAuth 2.0 access token");
    }

    /** What is left until {@code deadline} ({@link System#nanoTime()}'s terms); zero once it has passed. */
    private static Duration untilDeadline(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * Connects to {@code configuration}'s server, with TLS from the first byte where it is implicit,
     * and has Angus Mail greet, upgrade with STARTTLS and log in with {@code login} as {@code
     * session}'s settings say; all of it before {@code deadline} ({@link System#nanoTime()}'s terms).
     *
     * @param timeout the limit of connecting and of each read and write
     */
    private static SmtpConnection open(SmtpConfiguration configuration, SmtpLogin login, Session session,
            Duration timeout, long deadline) throws SmtpFailure {
        SmtpSocket socket = null;
        MailPhaseTransport transport = null;
        try {
            socket = new SmtpSocket(timeout);
            socket.deadline(deadline);
            InetAddress address = resolve(configuration.asciiHost(), TimeUnit.MILLISECONDS.toNanos(socket.limitMillis()));
            socket.connect(new InetSocketAddress(address, configuration.port()), socket.limitMillis());
            Socket smtp = configuration.implicitTls()
                    ? SocketFetcher.startTLS(socket, configuration.asciiHost(), session.getProperties(), "mail.smtp")
                    : socket;
            transport = new MailPhaseTransport(session, configuration, login, socket);
            transport.connect(smtp);
            socket.noDeadline();
            return new SmtpConnection(transport, socket, "the SMTP server " + configuration.address());
        } catch (IOException | MessagingException e) {
            SmtpSocket.closeQuietly(socket);
            throw FailureDiagnosis.ofOpening(configuration, e, transport);
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
            // Open, and the server did not end the stream (as it may after a refusal, under the reset that follows it).
            boolean kept = !socket.isClosed() && !transport.streamEnded();
            throw FailureDiagnosis.ofSending(e, recipients, server, transport, kept, mails);
        } catch (IllegalStateException notConnected) {
            // Angus closed the connection after an earlier failure on it (its only such throw, before the
            // mail's first command): nothing was written. Were one thrown after the end of the mail, the
            // mail may have been taken.
            if (transport.phase() == MailPhaseTransport.Phase.DOT_SENT) {
                throw SmtpFailure.of(SmtpFailure.Reason.UNCERTAIN, "The connection to " + server + " ended after "
                        + "the whole mail was written, without an answer: it may have been delivered", notConnected);
            }
            throw FailureDiagnosis.ofClosedBefore(server, notConnected);
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
}
