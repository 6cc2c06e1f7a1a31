package dev.mailservice.application.port.in;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.Optional;

/** Use case: read the SMTP configuration as the backend holds it (not necessarily the active one). */
public interface GetStoredSmtpConfiguration {

    /**
     * @return the stored configuration with the document's other fields, or empty when none is stored
     * @throws InvalidInput       if what is stored is not a valid configuration
     * @throws BackendUnavailable if the backend cannot be reached
     */
    Optional<StoredSmtpConfiguration> stored();
}
