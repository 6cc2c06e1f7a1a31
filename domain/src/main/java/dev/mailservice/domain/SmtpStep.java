package dev.mailservice.domain;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The steps of reaching an SMTP server, logging in and sending, in the order a connection takes
 * them (TLS comes before the greeting when it is implicit, after EHLO when it is STARTTLS).
 */
public enum SmtpStep {
    /** Getting an OAuth 2.0 access token from the token endpoint, before anything else: only with {@code oauth2}. */
    TOKEN,
    /** Resolving the host name to addresses. */
    DNS,
    /** Opening the TCP connection. */
    CONNECT,
    /** The TLS handshake and the check of the server's certificate. */
    TLS,
    /** The server's first reply, which must be SMTP's 220. */
    GREETING,
    /** EHLO, which tells what the server offers (STARTTLS, AUTH mechanisms, SIZE). */
    EHLO,
    /** SMTP AUTH with the configured username and password, or XOAUTH2 with the access token. */
    AUTH,
    /** Sending a test mail. */
    SEND;

    /** The step's name as operators read it: {@code dns}, {@code tls} ... */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The first of {@code results} that failed, if one did: the run ends at the first failure. */
    public static Optional<Result> firstFailed(List<Result> results) {
        return results.stream().filter(result -> !result.ok()).findFirst();
    }

    /**
     * How one step went against a server.
     *
     * @param step   the step
     * @param ok     whether it passed
     * @param took   how long it took
     * @param detail what was seen, in words an operator can act on; never a password, and never
     *               what a server that is not SMTP said
     */
    public record Result(SmtpStep step, boolean ok, Duration took, String detail) {

        public Result {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(took, "took");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
