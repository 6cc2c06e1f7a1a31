package dev.mailservice.application.service;

import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Implements {@link SaveSmtpConfiguration}: validate (resolving placeholders against what is
 * stored), store, then apply what was stored through the same path as a reload.
 */
public final class SaveSmtpConfigurationService implements SaveSmtpConfiguration {

    private final ConfigRepository repository;
    private final ReloadSmtpConfigurationService applier;

    public SaveSmtpConfigurationService(ConfigRepository repository, ReloadSmtpConfigurationService applier) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.applier = Objects.requireNonNull(applier, "applier");
    }

    /**
     * Runs from the read of the stored values to the swap as one reload does, without another
     * reload or save of this instance in between: otherwise two saves could be applied in the
     * other order than they were stored (a file has no revision to tell), and a placeholder could
     * bring back a value another save has just replaced. Across replicas, the write is made only
     * if the stored value is still the one read here (etcd's revisions tell), so a save on
     * another replica in between makes this one a conflict rather than being undone by it.
     */
    @Override
    public SmtpConfiguration save(Map<String, ?> submittedFields) {
        return applier.exclusively(() -> {
            Optional<StoredSmtpConfiguration> stored = submittedFields.containsValue(SmtpConfiguration.PLACEHOLDER)
                    ? repository.load()
                    : Optional.empty();
            long readRevision = stored.isPresent() ? stored.get().revision() : repository.currentRevision();
            SmtpConfiguration configuration = SmtpConfiguration.fromSubmittedFields(submittedFields,
                    stored.map(StoredSmtpConfiguration::configuration));
            OpaqueFields otherFields = OpaqueFields.outside(submittedFields, SmtpConfiguration.FIELD_NAMES);
            long revision = repository.save(configuration, otherFields, readRevision);
            return applier.apply(new StoredSmtpConfiguration(configuration, revision, otherFields));
        });
    }
}
