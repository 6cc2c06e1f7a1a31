package dev.mailservice.application.service;

import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.VerifySmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailRenderer;
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
    private final MailRenderer renderer;
    private final ServiceMetrics metrics;
    private final Semaphore running = new Semaphore(MAX_AT_ONCE);

    /** @param renderer renders the test mail, beside the service's other mails */
    public VerifySmtpConfigurationService(ConfigRepository repository, SmtpVerifier verifier, MailRenderer renderer,
            ServiceMetrics metrics) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.renderer = Objects.requireNonNull(renderer, "renderer");
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

    /** The test mail to {@code to}, naming the server it goes through. */
    private MailMessage testMail(SmtpConfiguration configuration, EmailAddress to) {
        MailRenderer.RenderedMail mail = renderer.renderTestMail(configuration.asciiHost() + ":" + configuration.port());
        return new MailMessage(List.of(to), List.of(), mail.defaultSubject(), mail.html(), mail.text(), List.of());
    }
}
