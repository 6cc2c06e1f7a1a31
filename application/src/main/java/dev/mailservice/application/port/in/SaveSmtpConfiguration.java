package dev.mailservice.application.port.in;

import java.util.Optional;
import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.domain.SmtpConfiguration;

/**
 * Use case: store a new SMTP configuration in the backend and apply it here at once; every other
 * replica applies it through its watch. An invalid configuration is neither stored nor applied.
 * The stored password is kept only for the server and user it was stored for: a change of host or
 * username must give the password again, so that no one can send it to a server of their choosing.
 */
public interface SaveSmtpConfiguration {

    /**
     * @return the configuration stored and now active
     * @throws InvalidInput       naming the field that is wrong, or a value to keep that is not
     *                            stored, or a password kept for another host or user, or (with
     *                            verification on save) the step at which the server refused the
     *                            configuration; nothing is stored
     * @throws WriteConflict      if another write came between the read of the stored value and this
     *                            one, or changed what the save keeps while it was verified; nothing
     *                            is stored
     * @throws BackendUnavailable if the backend cannot be reached, or another reload or save has not
     *                            finished within the time two calls of the backend may take; nothing
     *                            is stored
     */
    default SmtpConfiguration save(SmtpConfigurationChange change) {
        return save(change, Optional.empty());
    }

    /**
     * As {@link #save(SmtpConfigurationChange)}, only over what is stored at one of {@code
     * storedVersions} ({@link GetStoredSmtpConfiguration.Read#version()}, as the client read it),
     * when given: a change stored since by someone else is not overwritten.
     *
     * @throws WriteConflict also if what is stored is at none of {@code storedVersions}; nothing is stored
     */
    SmtpConfiguration save(SmtpConfigurationChange change, Optional<StoredVersions> storedVersions);
}
