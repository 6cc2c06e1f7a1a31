package dev.mailservice.application.service;

import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Objects;
import java.util.Optional;

/**
 * Implements {@link ReloadSmtpConfiguration}: the {@link ConfigurationApplier} reads the backend
 * and applies what it holds, under its lock (verified before it, when verification on apply is
 * on). Every failure of the read or the apply is recorded as the last reload error; a reload that
 * gave up waiting for the lock, having read nothing, records nothing.
 */
public final class ReloadSmtpConfigurationService implements ReloadSmtpConfiguration {

    private final ConfigRepository repository;
    private final ConfigurationApplier applier;

    public ReloadSmtpConfigurationService(ConfigRepository repository, ConfigurationApplier applier) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.applier = Objects.requireNonNull(applier, "applier");
    }

    @Override
    public Optional<SmtpConfiguration> reload() {
        return applier.verifyingAhead(repository,
                () -> applier.exclusively(repository, active -> applier.reloadFrom(repository, active)));
    }
}
