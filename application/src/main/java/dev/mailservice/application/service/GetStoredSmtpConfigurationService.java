package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.Objects;
import java.util.Optional;

/** Implements {@link GetStoredSmtpConfiguration} by reading the backend. */
public final class GetStoredSmtpConfigurationService implements GetStoredSmtpConfiguration {

    private final ConfigRepository repository;

    public GetStoredSmtpConfigurationService(ConfigRepository repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    @Override
    public Optional<StoredSmtpConfiguration> stored() {
        return repository.load();
    }
}
