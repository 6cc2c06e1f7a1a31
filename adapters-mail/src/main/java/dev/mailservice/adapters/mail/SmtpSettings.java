package dev.mailservice.adapters.mail;

import java.time.Duration;
import java.util.Objects;

/**
 * How the service speaks to SMTP servers: the limits of a conversation, of the connection pool
 * and of a connection's life. Each is a setting of the service (docs/operations.md).
 *
 * @param timeout            the limit of connecting, of each read and write, and of waiting for a
 *                           free connection
 * @param sendDeadline       the limit of a whole send, every attempt at it included
 * @param poolSize           how many connections to one server, as one user, may be open at once
 * @param poolIdle           how long a connection may stay idle before it is closed
 * @param connectionMaxMails how many mails may be begun on a connection before it is closed; fewer where
 *                           a server was seen to allow fewer
 * @param connectionMaxAge   how long a connection is used before it is closed
 * @param requireTls         whether a server that does not offer STARTTLS is refused rather than
 *                           spoken to in plain text
 */
public record SmtpSettings(Duration timeout, Duration sendDeadline, int poolSize, Duration poolIdle,
        int connectionMaxMails, Duration connectionMaxAge, boolean requireTls) {

    public SmtpSettings {
        positive(timeout, "the SMTP timeout");
        positive(sendDeadline, "the send deadline");
        positive(poolIdle, "the SMTP connections' idle limit");
        positive(connectionMaxAge, "an SMTP connection's age limit");
        if (poolSize < 1) {
            throw new IllegalArgumentException("the SMTP connection pool needs at least one connection, got " + poolSize);
        }
        if (connectionMaxMails < 1) {
            throw new IllegalArgumentException("an SMTP connection must carry at least one mail, got " + connectionMaxMails);
        }
    }

    /** These settings with {@code sendDeadline} instead. */
    public SmtpSettings withSendDeadline(Duration sendDeadline) {
        return new SmtpSettings(timeout, sendDeadline, poolSize, poolIdle, connectionMaxMails, connectionMaxAge,
                requireTls);
    }

    /** These settings with connections closed after {@code mails} mails or {@code age} instead. */
    public SmtpSettings withConnectionLimits(int mails, Duration age) {
        return new SmtpSettings(timeout, sendDeadline, poolSize, poolIdle, mails, age, requireTls);
    }

    private static void positive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        }
    }
}
