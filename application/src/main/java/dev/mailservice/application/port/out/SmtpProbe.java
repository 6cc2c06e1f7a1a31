package dev.mailservice.application.port.out;

import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Out-port: talks to the SMTP server of a configuration step by step ({@link SmtpStep}), as the
 * mail transport would (the same TLS mode, trusted authorities, {@code SMTP_REQUIRE_TLS} and
 * timeouts), and tells how each step went. It stores and applies nothing.
 *
 * <p>Each step is bounded by the transport's timeout and the whole run by {@code limit}. The first
 * step that fails ends the run. A detail never holds the password, nor what a server that did not
 * greet as SMTP said: a probe must not become a way to read other services on the network.
 */
public interface SmtpProbe {

    /**
     * Runs the steps through AUTH (when the configuration has a username), logging in with
     * {@code credentials} (XOAUTH2 when they are an access token), then sends {@code testMail}
     * when given. Never throws for what the server does: every outcome is in the answer.
     */
    Probe probe(SmtpConfiguration configuration, SmtpCredentials credentials, Optional<MailMessage> testMail,
            Duration limit);

    /** Why a step failed, so that the core can say what to try. */
    enum Problem {
        /** The host name does not resolve. */
        UNKNOWN_HOST,
        /** Nothing listens on the port. */
        CONNECTION_REFUSED,
        /** The connection could not be opened in time (a firewall, a wrong address). */
        UNREACHABLE,
        /** The server stayed silent past the timeout. */
        TIMED_OUT,
        /** Something answered that is not an SMTP server. */
        NOT_SMTP,
        /** The server sent a reply longer than the service reads, and was dropped. */
        REPLY_TOO_LONG,
        /** TLS was expected from the first byte, and the server spoke plain text. */
        PLAIN_TEXT_WHERE_TLS_EXPECTED,
        /** The TLS handshake failed for another reason than the certificate. */
        TLS_FAILED,
        /** The certificate is not signed by an authority the service trusts. */
        CERTIFICATE_UNTRUSTED,
        /** The certificate is outside its validity. */
        CERTIFICATE_EXPIRED,
        /** The certificate is not for the configured host. */
        HOST_NAME_MISMATCH,
        /** The server does not offer STARTTLS and {@code SMTP_REQUIRE_TLS} demands TLS. */
        STARTTLS_NOT_OFFERED,
        /** The configuration has a username but no password, so it cannot log in. */
        PASSWORD_MISSING,
        /** The configuration logs in, and the server offers no SMTP AUTH. */
        AUTH_NOT_OFFERED,
        /** The server offers no AUTH mechanism the transport speaks. */
        MECHANISM_MISSING,
        /** The server refused the username or password, or the access token. */
        AUTH_REJECTED,
        /** The test mail could not be composed, so it was not sent. */
        TEST_MAIL_NOT_COMPOSED,
        /** The server refused the test mail. */
        SEND_REFUSED,
        /** The whole run took longer than its limit. */
        DEADLINE_PASSED
    }

    /**
     * What a server's EHLO offered.
     *
     * @param startTls       whether it offered STARTTLS
     * @param authMechanisms the SMTP AUTH mechanisms offered, empty when none
     * @param maxSize        the largest message it takes (SIZE), when it said
     */
    record Capabilities(boolean startTls, List<String> authMechanisms, OptionalLong maxSize) {

        public Capabilities {
            authMechanisms = List.copyOf(authMechanisms);
            Objects.requireNonNull(maxSize, "maxSize");
        }
    }

    /**
     * How a probe went; {@link SmtpStep#firstFailed} tells the step that failed.
     *
     * @param steps               the steps run, in order; only the last may have failed
     * @param problem             why the last step failed, when it did
     * @param firstEhlo           what the server offered before any STARTTLS, when it answered EHLO
     *                            (a server that answers HELO alone offers nothing)
     * @param supportedMechanisms the mechanisms the transport can log in with, for advice
     */
    record Probe(List<SmtpStep.Result> steps, Optional<Problem> problem, Optional<Capabilities> firstEhlo,
            List<String> supportedMechanisms) {

        public Probe {
            steps = List.copyOf(steps);
            Objects.requireNonNull(problem, "problem");
            Objects.requireNonNull(firstEhlo, "firstEhlo");
            supportedMechanisms = List.copyOf(supportedMechanisms);
        }
    }
}
