package dev.mailservice.adapters.mail;

import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;

/**
 * What a failure on an SMTP connection means, as an {@link SmtpFailure}: from what Angus threw and
 * what the {@link MailPhaseTransport} saw, how far the mail had got, whether it may be tried again,
 * whether the connection can carry the next mail, and all of it in words that name the server and
 * quote its reply (without the password or the access token).
 */
final class FailureDiagnosis {

    /** A 452 reply's start, with the enhanced status code when the server gives one. */
    private static final Pattern ENHANCED_STATUS = Pattern.compile("452[ -](\\d\\.\\d{1,3}\\.\\d{1,3})(?![\\d.])");

    private FailureDiagnosis() {}

    /**
     * Why a connection could not be opened and logged in.
     *
     * @param transport the client, or null when the connection failed before there was one
     */
    static SmtpFailure ofOpening(SmtpConfiguration configuration, Exception e, MailPhaseTransport transport) {
        String server = "the SMTP server " + configuration.address();
        String reply = transport == null ? "" : transport.lastReply();
        int greeting = transport == null ? 0 : transport.greeting();
        if (e instanceof ConfiguredTransport.NoLoginOffered none) {
            return SmtpFailure.of(SmtpFailure.Reason.REFUSED, capitalized(server) + " cannot log in user '"
                    + transport.login.username().orElse("") + "': it " + none.getMessage() + "; if it is a relay that "
                    + "takes mail from this network without a login, remove the username", e);
        }
        if (e instanceof AuthenticationFailedException && !causedBy(e, IOException.class::isInstance)
                && transport != null && transport.getLastReturnCode() > 0) {
            return ofLogin(server, transport, e);
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
        Throwable root = rootCause(e);
        if (transport != null && e instanceof AuthenticationFailedException && e.getCause() == null
                && !transport.serverClosed()) {
            // The server answered the login, with a whole reply without a code (Angus's failure from a reply
            // it read, with nothing under it): a refusal, not a lost connection. Tried again, it would be one
            // failed login after another, which providers count towards locking the account; a refused
            // token is renewed once, as for a 535. The reply may quote the secret back: kept only as shown.
            String refusal = transport.login.shown(loginRefusal(server, transport.login)
                    + " with a reply without a code: " + e.getMessage());
            return SmtpFailure.loginRefused(refusal, new AuthenticationFailedException(refusal));
        }
        String lost = lost(server, root);
        if (transport != null && e instanceof AuthenticationFailedException) {
            // A login whose connection ended or failed before a reply with a code may quote what the server
            // said back to it, the secret included: kept only as shown, as ofLogin keeps a refusal, with the
            // I/O failure under it, if any (which says no more than what happened to the connection).
            String shown = transport.login.shown(lost);
            return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, shown,
                    new AuthenticationFailedException(shown, root instanceof IOException io ? io : null));
        }
        return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, lost, e);
    }

    /**
     * Why the server did not take the login: a refusal of the secret (5xx, or an error challenge, 334,
     * to AUTH), a refusal for now (4xx; 432 for its limit on connections), or no mechanism offered
     * that the login may use (XOAUTH2 for an access token). The failure holds the server's reply
     * only as shown, never as it came: a server may have echoed the secret.
     */
    private static SmtpFailure ofLogin(String server, MailPhaseTransport transport, Exception e) {
        int code = transport.getLastReturnCode();
        SmtpLogin login = transport.login;
        if (code < 300) {
            // Nothing was refused: Angus found no mechanism in common and asked nothing; the last reply is EHLO's.
            String auth = transport.getExtensionParameter("AUTH");
            return SmtpFailure.of(SmtpFailure.Reason.REFUSED, capitalized(server) + (login.xoauth2()
                    ? " does not offer AUTH XOAUTH2, which a login with an OAuth 2.0 access token needs"
                    : " offers no login mechanism this service speaks (" + String.join(" ", AngusSmtpProbe.MECHANISMS)
                            + ")") + ": it offers " + (auth == null ? "no AUTH" : "AUTH " + auth.strip()), e);
        }
        String reply = transport.lastReply();
        String refusal = loginRefusal(server, login) + ": " + reply;
        AuthenticationFailedException shown = new AuthenticationFailedException(reply);
        if (code == 432) {
            return SmtpFailure.refusedForItsLimit(refusal, shown);
        }
        if (code >= 400 && code < 500) {
            return SmtpFailure.of(SmtpFailure.Reason.TEMPORARY_REFUSAL, refusal, shown);
        }
        return code >= 500 || code == 334 ? SmtpFailure.loginRefused(refusal, shown)
                : SmtpFailure.of(SmtpFailure.Reason.REFUSED, refusal, shown);
    }

    /** "The server refused the login of user ..." (or the access token), for a refusal's reply to follow. */
    private static String loginRefusal(String server, SmtpLogin login) {
        String user = login.username().orElse("");
        return capitalized(server) + (!login.xoauth2() ? " refused the login of user '" + user + "'"
                : login.renewed() ? " refused the access token for user '" + user + "', then a new one asked for after "
                        + "that refusal"
                : " refused the access token for user '" + user + "'");
    }

    /**
     * Why a mail failed on an open connection, by the phase it had reached.
     *
     * @param server    the server, in words, for messages
     * @param transport the connection's client, which noted the phase and its worst reply
     * @param kept      whether the connection is still open and the server did not end the stream
     * @param mails     how many mails were begun on the connection, this one included
     */
    static SmtpFailure ofSending(MessagingException e, List<InternetAddress> recipients, String server,
            MailPhaseTransport transport, boolean kept, int mails) {
        MailPhaseTransport.Phase phase = transport.phase();
        int code = transport.worstReply();
        String reply = transport.worstReplyText();
        Throwable root = rootCause(e);
        if (phase == MailPhaseTransport.Phase.DOT_SENT) {
            if (code >= 500) {
                return refusedForGood(notAccepted(server, reply), kept, e);
            }
            if (code >= 400) {
                return refusedForNow(code, notAccepted(server, reply), kept, e);
            }
            return SmtpFailure.of(SmtpFailure.Reason.UNCERTAIN, capitalized(server) + " took the whole mail but gave no "
                    + "answer to its end (" + unanswered(root) + "): it may have been delivered", e);
        }
        if (phase == MailPhaseTransport.Phase.RCPT_TO && e instanceof SendFailedException refusal) {
            return recipientsRefused(refusal, recipients, server, transport.login, kept);
        }
        if (code >= 500) {
            return refusedForGood(notAccepted(server, reply), kept, e);
        }
        // A kept connection that turns out closed at its next mail (a reset, the end of the stream, or a 421
        // saying so) is the server's idle or per-connection limit; one that turns out silent is not.
        boolean closedUnderIt = code == 421 || code == 0 && !(root instanceof SocketTimeoutException);
        if (phase == MailPhaseTransport.Phase.MAIL_FROM && mails > 1 && closedUnderIt) {
            return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_CLOSED, capitalized(server) + " closed a kept "
                    + "connection before its next mail" + (code == 421 ? ": " + reply : ""), e);
        }
        if (code >= 400) {
            return refusedForNow(code, notAccepted(server, reply), kept, e);
        }
        return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, lost(server, root), e);
    }

    /** A mail begun on a connection Angus had closed after an earlier failure on it: nothing was written. */
    static SmtpFailure ofClosedBefore(String server, IllegalStateException notConnected) {
        return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_CLOSED, capitalized(server) + " had closed the "
                + "connection before this mail", notConnected);
    }

    /**
     * The RCPT TO replies: any 5xx refuses the mail for good, naming the refused addresses; 452 to
     * every recipient from one on, after some were taken, is the server's limit on recipients a mail
     * (RFC 5321, 4.5.3.1.10), unless its enhanced code says another cause (a full mailbox is 452
     * 4.2.2 too, and a limit taken from it would leave the recipients after it untried); any other
     * 4xx, a refusal for now; no reply at all, a lost connection.
     */
    private static SmtpFailure recipientsRefused(SendFailedException refusal, List<InternetAddress> recipients,
            String server, SmtpLogin login, boolean kept) {
        List<String> refusedForGood = new ArrayList<>();
        int firstTooMany = -1;
        int tooMany = 0;
        boolean otherRefusalForNow = false;
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
                        + " failed at a recipient: " + login.shown(address.getMessage()),
                        refusal);
            }
            String said = login.shown(address.getMessage());
            worst = Math.max(worst, code);
            if (code >= 500) {
                refusedForGood.add(address.getAddress().getAddress() + " (" + said + ")");
                continue;
            }
            if (firstForNow == null) {
                firstForNow = said;
            }
            if (code == 452 && !namesAnotherCause(address.getMessage())) {
                firstTooMany = firstTooMany < 0 ? recipients.indexOf(address.getAddress()) : firstTooMany;
                tooMany++;
            } else {
                otherRefusalForNow = true;
            }
        }
        if (!refusedForGood.isEmpty()) {
            return refusedForGood(capitalized(server) + " refused the recipient" + (refusedForGood.size() == 1 ? " " : "s ")
                    + String.join(", ", refusedForGood), kept, refusal);
        }
        if (firstForNow == null) {
            return SmtpFailure.of(SmtpFailure.Reason.CONNECTION_FAILED, lost(server, rootCause(refusal)), refusal);
        }
        String description = notAccepted(server, firstForNow);
        boolean limit = !otherRefusalForNow && firstTooMany > 0 && tooMany == recipients.size() - firstTooMany;
        if (limit && kept) {
            return SmtpFailure.recipientLimit(firstTooMany, capitalized(server) + " takes " + firstTooMany
                    + " recipient" + (firstTooMany == 1 ? "" : "s") + " a mail: " + description, refusal);
        }
        return refusedForNow(worst, description, kept, refusal);
    }

    /** Whether a 452 reply's enhanced status code (RFC 3463) names a cause other than too many recipients, 4.5.3. */
    private static boolean namesAnotherCause(String reply) {
        Matcher enhanced = ENHANCED_STATUS.matcher(reply.strip());
        return enhanced.lookingAt() && !enhanced.group(1).equals("4.5.3");
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

    private static String notAccepted(String server, String reply) {
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
    static boolean causedBy(Throwable failure, Predicate<Throwable> what) {
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

    /** The innermost cause of {@code failure}: what the network or TLS said, under Angus's wrapping. */
    static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
