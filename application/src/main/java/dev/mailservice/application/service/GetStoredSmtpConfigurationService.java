package dev.mailservice.application.service;

import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.domain.VersionKey;
import java.util.Objects;
import java.util.Optional;

/** Implements {@link GetStoredSmtpConfiguration} by reading the backend. */
public final class GetStoredSmtpConfigurationService implements GetStoredSmtpConfiguration {

    private final ConfigRepository repository;
    private final VersionKey versionKey;

    /** @param versionKey what versions are computed with; the same on every replica */
    public GetStoredSmtpConfigurationService(ConfigRepository repository, VersionKey versionKey) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.versionKey = Objects.requireNonNull(versionKey, "versionKey");
    }

    @Override
    public Read stored() {
        Optional<StoredSmtpConfiguration> stored = repository.load();
        return new Read(stored, StoredSmtpConfiguration.versionOf(stored, versionKey));
    }
}
