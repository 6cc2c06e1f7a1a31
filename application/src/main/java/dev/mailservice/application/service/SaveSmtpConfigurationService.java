package dev.mailservice.application.service;

import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.StoredSmtpConfiguration;
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

    @Override
    public SmtpConfiguration save(Map<String, ?> submittedFields) {
        Optional<SmtpConfiguration> stored = submittedFields.containsValue(SmtpConfiguration.PLACEHOLDER)
                ? repository.load().map(StoredSmtpConfiguration::configuration)
                : Optional.empty();
        SmtpConfiguration configuration = SmtpConfiguration.fromSubmittedFields(submittedFields, stored);
        long revision = repository.save(configuration);
        return applier.apply(new StoredSmtpConfiguration(configuration, revision));
    }
}
