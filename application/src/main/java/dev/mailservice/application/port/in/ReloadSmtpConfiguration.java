package dev.mailservice.application.port.in;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Optional;

/**
 * Use case: re-read the SMTP configuration from its backend and make it the one mail is sent
 * with, without a restart.
 *
 * <p>Read, validate, build a new transport, swap it in atomically, in that order. Sends that
 * already hold the previous transport finish on it; it is closed after the last of them. Any
 * failure leaves the previous configuration active and untouched, and is remembered as the last
 * reload error. Nothing stored is no failure: nothing becomes active, and a configuration active
 * already stays so (a warning on the status says that nothing backs it any more). Concurrent calls
 * are applied one after the other, never interleaved; one that gives up waiting for another reads
 * nothing and records nothing.
 */
public interface ReloadSmtpConfiguration {

    /**
     * @return the stored configuration, now active; empty when the backend holds none
     * @throws InvalidInput       if the stored configuration is unreadable or breaks a rule, or
     *                            (with verification on apply) its server refused it at a step
     * @throws WriteConflict      if (with verification on apply) the stored configuration changed
     *                            each time it was verified, a few times over
     * @throws BackendUnavailable if the backend cannot be reached, or another reload or save has not
     *                            finished within the time two calls of the backend may take
     */
    Optional<SmtpConfiguration> reload();

    /**
     * A reload the backend's watch asked for, after a change was announced: as {@link #reload()},
     * but a configuration whose verification on apply failed after its token step, a moment ago, is
     * not verified again when what is stored differs from it in its refresh token alone. That
     * verification's token request may have been answered with a new refresh token, stored back and
     * announced as a change: verifying again would ask for yet another, and so on, on every replica.
     * It fails with the same report; a reload asked for ({@link #reload()}) verifies again.
     *
     * @return as {@link #reload()}
     * @throws InvalidInput       as {@link #reload()}
     * @throws WriteConflict      as {@link #reload()}
     * @throws BackendUnavailable as {@link #reload()}
     */
    default Optional<SmtpConfiguration> reloadAfterChange() {
        return reload();
    }
}
