package dev.mailservice.application.port.out;

import dev.mailservice.domain.InvalidSmtpConfigurationException;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Optional;

/**
 * Out-port: the backend where the SMTP configuration is stored (a file, etcd, ...).
 *
 * <p>Every read goes to the backend: no caching, so a reload always sees the latest stored value.
 */
public interface ConfigRepository {

    /**
     * Reads the stored configuration.
     *
     * @return the configuration, or empty when the backend holds none (a valid answer, not an error)
     * @throws InvalidSmtpConfigurationException if something is stored but is not a valid
     *                                           configuration; the message says where and why,
     *                                           never the password
     * @throws ConfigBackendUnavailableException if the backend cannot be reached or read
     */
    Optional<SmtpConfiguration> load();

    /** Short name of the backend kind, shown to operators: {@code file}, {@code etcd}. */
    String sourceName();

    /** Where exactly the configuration lives (a path, a key and endpoints), for messages. */
    String location();
}
