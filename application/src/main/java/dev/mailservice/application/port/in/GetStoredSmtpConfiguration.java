package dev.mailservice.application.port.in;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.Objects;
import java.util.Optional;

/** Use case: read the SMTP configuration as the backend holds it (not necessarily the active one). */
public interface GetStoredSmtpConfiguration {

    /**
     * @return the stored configuration with the document's other fields, or empty when none is
     *         stored, and its version, as {@link SaveSmtpConfiguration#save(SmtpConfigurationChange, Optional)}
     *         takes it
     * @throws InvalidInput       if what is stored is not a valid configuration
     * @throws BackendUnavailable if the backend cannot be reached
     */
    Read stored();

    /**
     * What is stored and its version.
     *
     * @param configuration the stored configuration, or empty when none is stored
     * @param version       its {@link StoredSmtpConfiguration#version(dev.mailservice.domain.VersionKey) version}, or
     *                      {@link StoredSmtpConfiguration#NOTHING_STORED}
     */
    record Read(Optional<StoredSmtpConfiguration> configuration, String version) {

        public Read {
            Objects.requireNonNull(configuration, "configuration");
            Objects.requireNonNull(version, "version");
        }
    }
}
