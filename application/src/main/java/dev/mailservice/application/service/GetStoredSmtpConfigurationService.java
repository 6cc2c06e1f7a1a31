package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.StoredSmtpConfiguration;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Objects;
import java.util.Optional;

/** Implements {@link GetStoredSmtpConfiguration} by reading the backend. */
public final class GetStoredSmtpConfigurationService implements GetStoredSmtpConfiguration {

    private final ConfigRepository repository;

    public GetStoredSmtpConfigurationService(ConfigRepository repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    @Override
    public Optional<SmtpConfiguration> stored() {
        return repository.load().map(StoredSmtpConfiguration::configuration);
    }
}
