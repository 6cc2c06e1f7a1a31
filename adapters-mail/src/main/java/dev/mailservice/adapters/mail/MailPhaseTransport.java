package dev.mailservice.adapters.mail;

import dev.mailservice.domain.SmtpConfiguration;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.OutputStream;
import java.util.regex.Pattern;

/**
 * Angus's client on a connection that sends mail, noting the phase of each mail and the worst
 * reply of the phase: what tells, when a mail fails, how far it had got ({@link FailureDiagnosis}).
 */
final class MailPhaseTransport extends ConfiguredTransport {

    /** A reply whose last line is a continuation: the server went before its last line. */
    private static final Pattern CUT_OFF = Pattern.compile("(?:^|\\n)\\d{3}-[^\\n]*$");

    /** How far a mail has got on the connection. */
    enum Phase {
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

    private volatile Phase phase = Phase.OPENING;
    /** The greeting's reply code, once read. */
    private int greeting;
    /** The highest 4xx or 5xx reply code of the current phase; 0 while none came. */
    private int worstReply;
    /** That reply, fit to show: Angus forgets it when the reset that follows fails. */
    private String worstReplyText = "";
    /**
     * Whether a reply was the end of the stream (or not a reply at all), or a 421, by which the
     * server says it is closing the connection (RFC 5321, 3.8), whatever the command: the connection
     * is spent. A 421 to the RSET after a refused recipient hides behind the refusal's 5xx otherwise.
     */
    private boolean streamEnded;
    /** Whether the dot's own reply was read: what comes after it answers Angus's RSET or QUIT, not the mail. */
    private boolean dotAnswered;

    MailPhaseTransport(Session session, SmtpConfiguration configuration, SmtpLogin login, SmtpSocket socket) {
        super(session, configuration, login, socket);
    }

    /** A new mail starts. */
    void begin() {
        enter(Phase.READY);
    }

    Phase phase() {
        return phase;
    }

    int greeting() {
        return greeting;
    }

    int worstReply() {
        return worstReply;
    }

    String worstReplyText() {
        return worstReplyText;
    }

    boolean streamEnded() {
        return streamEnded;
    }

    /**
     * Whether the server closed the connection, so that a reply Angus could not read a code from was
     * none at all or one it cut off, not a reply without a code: the socket met the end of its stream
     * (a close without TLS's own goodbye), or Angus did (its {@code [EOF]}, under TLS too), or the
     * last reply was a multi-line one that never ended (its last line a continuation, {@code 535-...}).
     */
    boolean serverClosed() {
        String reply = String.valueOf(getLastServerResponse()).strip();
        return socket.endOfStreamSeen() || reply.equals("[EOF]") || CUT_OFF.matcher(reply).find();
    }

    private void enter(Phase next) {
        phase = next;
        worstReply = 0;
        worstReplyText = "";
        dotAnswered = false;
    }

    @Override
    protected int readServerResponse() throws MessagingException {
        // After the dot its first reply alone says what became of the mail. One Angus cannot read (no
        // number) is followed by a RSET, or by a QUIT sent and answered within this very read; a 4xx to
        // either would otherwise have the mail sent again, a 5xx have it called refused. So the dot
        // counts as answered before its reply is read.
        boolean aboutTheMail = phase != Phase.DOT_SENT || !dotAnswered;
        dotAnswered |= phase == Phase.DOT_SENT;
        int code = super.readServerResponse();
        streamEnded |= code == -1 || code == 421;
        if (phase == Phase.OPENING && greeting == 0) {
            greeting = code;
        }
        if (aboutTheMail && code >= 400 && code > worstReply) {
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
