package dev.mailservice.application.service;

import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.VerifySmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.ServiceMetrics.VerificationTrigger;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * Implements {@link VerifySmtpConfiguration}: resolve the candidate as a save would, then let the
 * {@link SmtpVerifier} run it against the server, with a short test mail of its own when asked.
 *
 * <p>A verification holds a connection to a server of the caller's choosing for seconds, so a
 * replica runs only a few at once and refuses the next as {@link Overloaded}. It takes no lock:
 * saves, reloads and sends go on meanwhile.
 */
public final class VerifySmtpConfigurationService implements VerifySmtpConfiguration {

    /** Verifications a replica runs at once: an operator's few, not a scan of the network. */
    public static final int MAX_AT_ONCE = 4;

    /** About the time one verification takes. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final ConfigRepository repository;
    private final SmtpVerifier verifier;
    private final ServiceMetrics metrics;
    private final Semaphore running = new Semaphore(MAX_AT_ONCE);

    public VerifySmtpConfigurationService(ConfigRepository repository, SmtpVerifier verifier, ServiceMetrics metrics) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public SmtpVerification verify(SmtpConfigurationChange candidate, Optional<EmailAddress> sendTestTo) {
        // The permit comes first: a flood of verifications must not reach the backend either.
        if (!running.tryAcquire()) {
            metrics.verificationRefused();
            throw new Overloaded("As many SMTP verifications as this replica runs at once (" + MAX_AT_ONCE
                    + ") are under way; try again in a few seconds", RETRY_AFTER);
        }
        try {
            Optional<SmtpConfiguration> stored = ChangeResolver.keepsAny(candidate)
                    ? repository.load().map(StoredSmtpConfiguration::configuration)
                    : Optional.empty();
            SmtpConfiguration configuration = ChangeResolver.resolve(candidate, stored);
            return verifier.verify(configuration, sendTestTo.map(to -> testMail(configuration, to)),
                    VerificationTrigger.REQUEST);
        } finally {
            running.release();
        }
    }

    /** The test mail: a template of its own, short, naming the server it went through and nothing secret. */
    static MailMessage testMail(SmtpConfiguration configuration, EmailAddress to) {
        String text = "This is a test mail. It was sent through the SMTP server " + configuration.asciiHost() + ":"
                + configuration.port() + " to check the mail settings; no reply is needed.";
        // An ASCII host name holds letters, digits, dots, ':', '[', ']', '-' and '_' alone: nothing to escape in HTML.
        return new MailMessage(List.of(to), List.of(), "Test mail: the SMTP settings work", "<p>" + text + "</p>",
                text, List.of());
    }
}
