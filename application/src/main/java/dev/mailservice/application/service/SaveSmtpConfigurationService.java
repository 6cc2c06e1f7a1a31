package dev.mailservice.application.service;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.ServiceMetrics.VerificationTrigger;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.Objects;
import java.util.Optional;

/**
 * Implements {@link SaveSmtpConfiguration}: resolve the fields to keep against what is stored,
 * validate, verify against the server when asked to, store over the revision read, then apply
 * what was stored through the {@link ConfigurationApplier}.
 *
 * <p>The whole step holds the applier's lock, so no reload or save of this instance comes in
 * between: otherwise two saves could be applied in the other order than they were stored (a file
 * has no revision to tell), and a kept value could bring back one another save had just replaced.
 * Across replicas the write is made only over the revision read (etcd's revisions tell), so a save
 * on another replica in between makes this one a conflict rather than being undone by it.
 */
public final class SaveSmtpConfigurationService implements SaveSmtpConfiguration {

    private final ConfigRepository repository;
    private final ConfigurationApplier applier;
    private final Optional<SmtpVerifier> verifier;

    /**
     * @param verifyOnSave when present, a configuration that does not pass it through AUTH is
     *                     refused, and nothing is stored
     */
    public SaveSmtpConfigurationService(ConfigRepository repository, ConfigurationApplier applier,
            Optional<SmtpVerifier> verifyOnSave) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.applier = Objects.requireNonNull(applier, "applier");
        this.verifier = Objects.requireNonNull(verifyOnSave, "verifyOnSave");
    }

    @Override
    public SmtpConfiguration save(SmtpConfigurationChange change) {
        return applier.exclusively(repository, active -> {
            // Only a change that keeps values needs them; any other reads the revision alone, so
            // that a stored value that cannot be read can still be replaced.
            Optional<StoredSmtpConfiguration> stored = ChangeResolver.keepsAny(change) ? repository.load()
                    : Optional.empty();
            long readRevision = stored.isPresent() ? stored.get().revision() : repository.currentRevision();
            SmtpConfiguration configuration = ChangeResolver.resolve(change,
                    stored.map(StoredSmtpConfiguration::configuration));
            verifier.ifPresent(verify -> {
                SmtpVerification report = verify.verify(configuration, Optional.empty(), VerificationTrigger.SAVE);
                if (!report.ok()) {
                    throw new InvalidInput(null, report.failure());
                }
            });
            long revision = repository.save(configuration, change.otherFields(), readRevision);
            return applier.applyWritten(new StoredSmtpConfiguration(configuration, revision, change.otherFields()),
                    repository.sourceName(), active);
        });
    }
}
