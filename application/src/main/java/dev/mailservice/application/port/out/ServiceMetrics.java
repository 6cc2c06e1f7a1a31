package dev.mailservice.application.port.out;

import dev.mailservice.domain.SmtpStep;
import java.time.Duration;
import java.util.Optional;

/**
 * Out-port: what the service counts and times for its operators. An adapter publishes it (as
 * Prometheus meters, say); the core only reports. Implementations are cheap, never block and never
 * throw. No argument carries a configuration value, an address or a secret.
 */
public interface ServiceMetrics {

    /** How a reload ended. */
    enum ReloadOutcome {
        /** A configuration other than the active one became active. */
        APPLIED,
        /** What is stored is what is active; nothing changed. */
        UNCHANGED,
        /** The backend holds no configuration. */
        NOTHING_STORED,
        /** What is stored is not a valid configuration; the active one stays. */
        INVALID,
        /** The backend could not be reached; the active configuration stays. */
        BACKEND_UNAVAILABLE,
        /** What is stored failed its verification against the server; the active configuration stays. */
        VERIFICATION_FAILED,
        /** What is stored changed each time it was verified, a few times over; the active configuration stays. */
        CHANGED_WHILE_VERIFIED
    }

    /** How a send ended. */
    enum MailOutcome {
        SENT,
        /** Refused before sending: too many recipients, a bad template value. */
        INVALID,
        /** No configuration is active. */
        NOT_CONFIGURED,
        /** No SMTP connection came free in time. */
        OVERLOADED,
        /** The SMTP server did not take it within the send's deadline, and may later. */
        TEMPORARY_FAILURE,
        /** The SMTP server refused it for good. */
        REFUSED,
        /** Handed over without an answer: it may have been delivered, and was not sent again. */
        UNCERTAIN,
        /** An unexpected failure, logged with its cause. */
        ERROR
    }

    /** How a request for an OAuth 2.0 access token ended. */
    enum TokenOutcome {
        /** A token was given. */
        ISSUED,
        /** The endpoint refused (a wrong secret, an unknown client, a revoked grant). */
        REFUSED,
        /** The endpoint could not be asked, or did not answer as OAuth 2.0 says. */
        UNAVAILABLE
    }

    /** What made a configuration be verified against its server. */
    enum VerificationTrigger {
        /** The verify route. */
        REQUEST,
        /** A save, with verification on save. */
        SAVE,
        /** A reload or a watch event, with verification on apply. */
        APPLY
    }

    /** A reload from the backend named {@code source} ({@code file}, {@code etcd}, {@code redis}) ended. */
    void reloadFinished(String source, ReloadOutcome outcome, Duration took);

    /** A send of a mail of template {@code template} ended. */
    void mailFinished(String template, MailOutcome outcome, Duration took);

    /** The watch of the backend named {@code source} was lost and is back. */
    void watchResumed(String source);

    /**
     * A verification of a configuration against its server ended.
     *
     * @param failedStep the step that failed; empty when every step passed
     */
    void verificationFinished(VerificationTrigger trigger, Optional<SmtpStep> failedStep);

    /** A verification was refused: as many as a replica runs at once were under way. */
    void verificationRefused();

    /** A request for an access token of a login of {@code kind} ({@code microsoft}, {@code google}, {@code refreshToken}) ended. */
    void tokenRequested(String kind, TokenOutcome outcome);

    /** Counts nothing: for tests, and for a service that publishes no metrics. */
    ServiceMetrics NONE = new ServiceMetrics() {
        @Override
        public void reloadFinished(String source, ReloadOutcome outcome, Duration took) {}

        @Override
        public void mailFinished(String template, MailOutcome outcome, Duration took) {}

        @Override
        public void watchResumed(String source) {}

        @Override
        public void verificationFinished(VerificationTrigger trigger, Optional<SmtpStep> failedStep) {}

        @Override
        public void verificationRefused() {}

        @Override
        public void tokenRequested(String kind, TokenOutcome outcome) {}
    };
}
