package dev.mailservice.application.port.in;

import dev.mailservice.application.port.out.ConfigBackendUnavailableException;
import dev.mailservice.domain.InvalidSmtpConfigurationException;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Map;

/**
 * Use case: store a new SMTP configuration in the backend and apply it here at once; every
 * other replica applies it through its watch. An invalid configuration is neither stored nor
 * applied.
 */
public interface SaveSmtpConfiguration {

    /**
     * @param submittedFields the contract's JSON object as a client sent it, where the placeholder
     *                        in {@code host}, {@code username}, {@code fromEmail} or
     *                        {@code password} keeps the stored value (the password only for the
     *                        same host and username); fields the service does not know are stored
     *                        beside the configuration as they are
     * @return the configuration stored and now active
     * @throws InvalidSmtpConfigurationException naming the field that is wrong; nothing is stored
     * @throws ConfigBackendUnavailableException if the backend cannot be reached; nothing is stored
     */
    SmtpConfiguration save(Map<String, ?> submittedFields);
}
