package dev.mailservice.adapters.mail;

import java.util.Objects;

/**
 * One attempt at a mail failed, and where the mail was when it did: what decides whether it is
 * tried again. Built by {@link FailureDiagnosis} from how far the conversation on an {@link
 * SmtpConnection} had got.
 */
final class SmtpFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the attempt failed, and so what may be done about it. */
    enum Reason {
        /**
         * A kept connection, used for mail before, turned out closed at the next mail (silently, or
         * saying 421): the server's idle or per-connection limit, not a failure of the server. The
         * mail was not handed over; it is tried again at once on a fresh connection.
         */
        CONNECTION_CLOSED(true, true),
        /**
         * No connection could be made or kept up to the end of the mail: refused, reset, silent, too
         * long a reply. The mail was not handed over; it is tried again after a delay.
         */
        CONNECTION_FAILED(true, false),
        /** A 4xx reply before the mail was accepted: the server refused it for now; tried again after a delay. */
        TEMPORARY_REFUSAL(true, false),
        /**
         * The server takes fewer recipients a mail than this one has (452 after some were accepted):
         * the mail is sent again at once, to as many at a time as it took.
         */
        RECIPIENT_LIMIT(true, true),
        /** A 5xx reply, or a set-up that cannot work (the certificate, the login): not tried again. */
        REFUSED(false, false),
        /**
         * The whole mail and its end were written, and no answer came: the server may have taken it,
         * so it is not tried again.
         */
        UNCERTAIN(false, false);

        private final boolean triedAgain;
        private final boolean atOnce;

        Reason(boolean triedAgain, boolean atOnce) {
            this.triedAgain = triedAgain;
            this.atOnce = atOnce;
        }

        /** Whether the mail was not handed over, so that another attempt cannot deliver it twice. */
        boolean triedAgain() {
            return triedAgain;
        }

        /** Whether another attempt goes at once rather than after a delay. */
        boolean atOnce() {
            return atOnce;
        }
    }

    private final Reason reason;
    private final boolean connectionUsable;
    private final boolean refusedForItsLimit;
    private final boolean loginRefused;
    private final int recipientLimit;

    /**
     * @param description what happened, for the caller and the log, naming the server and quoting
     *                    its reply (without a password)
     */
    private SmtpFailure(Reason reason, String description, boolean connectionUsable, boolean refusedForItsLimit,
            boolean loginRefused, int recipientLimit, Throwable underlying) {
        super(description, underlying);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.connectionUsable = connectionUsable;
        this.refusedForItsLimit = refusedForItsLimit;
        this.loginRefused = loginRefused;
        this.recipientLimit = recipientLimit;
    }

    /** A failure that leaves its connection, if it had one, unusable. */
    static SmtpFailure of(Reason reason, String description, Throwable underlying) {
        return new SmtpFailure(reason, description, false, false, false, 0, underlying);
    }

    /** A refusal after which the connection can carry the next mail (the server took a reset). */
    static SmtpFailure onUsableConnection(Reason reason, String description, Throwable underlying) {
        return new SmtpFailure(reason, description, true, false, false, 0, underlying);
    }

    /** A new connection refused for the server's own limit on connections (a 4xx greeting, 432 at login). */
    static SmtpFailure refusedForItsLimit(String description, Throwable underlying) {
        return new SmtpFailure(Reason.TEMPORARY_REFUSAL, description, false, true, false, 0, underlying);
    }

    /**
     * The server refused the secret a new connection logged in with (a 5xx, or an error challenge, to
     * AUTH), before any mail: {@link Reason#REFUSED}.
     */
    static SmtpFailure loginRefused(String description, Throwable underlying) {
        return new SmtpFailure(Reason.REFUSED, description, false, false, true, 0, underlying);
    }

    /** The server took {@code limit} recipients and refused the next with 452. */
    static SmtpFailure recipientLimit(int limit, String description, Throwable underlying) {
        return new SmtpFailure(Reason.RECIPIENT_LIMIT, description, true, false, false, limit, underlying);
    }

    /** This failure with {@code more} said after its description, and the same in every other way. */
    SmtpFailure saying(String more) {
        SmtpFailure said = new SmtpFailure(reason, getMessage() + more, connectionUsable, refusedForItsLimit, loginRefused,
                recipientLimit, getCause());
        said.setStackTrace(getStackTrace());
        for (Throwable suppressed : getSuppressed()) {
            said.addSuppressed(suppressed);
        }
        return said;
    }

    Reason reason() {
        return reason;
    }

    /** Whether the connection can be kept for the next mail. */
    boolean connectionUsable() {
        return connectionUsable;
    }

    /** Whether the server refused a new connection for its own limit on connections. */
    boolean refusedForItsLimit() {
        return refusedForItsLimit;
    }

    /** Whether the server refused the login's secret: an access token may be replaced and tried once more. */
    boolean loginRefused() {
        return loginRefused;
    }

    /** How many recipients a mail the server takes, for {@link Reason#RECIPIENT_LIMIT}. */
    int recipientLimit() {
        return recipientLimit;
    }
}
