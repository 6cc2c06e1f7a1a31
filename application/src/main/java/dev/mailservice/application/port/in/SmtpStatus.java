package dev.mailservice.application.port.in;

import dev.mailservice.domain.SmtpConfiguration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of the mail sender at one moment.
 *
 * @param active          the configuration mail is sent with, if any
 * @param lastReloadError the failure of the most recent reload, if it failed; cleared by the
 *                        next successful one
 * @param warnings        what an operator should know although nothing failed (a password that
 *                        cannot be used, nothing stored behind the active configuration)
 * @param lastVerified    the last verification of the active configuration against its server,
 *                        if one ran since it became active or before
 */
public record SmtpStatus(Optional<Applied> active, Optional<ReloadError> lastReloadError, List<String> warnings,
        Optional<Verified> lastVerified) {

    public SmtpStatus {
        Objects.requireNonNull(active, "active");
        Objects.requireNonNull(lastReloadError, "lastReloadError");
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(lastVerified, "lastVerified");
    }

    /**
     * A verification of a configuration against its server.
     *
     * @param at         when it ended
     * @param ok         whether every step passed
     * @param failedStep the step that failed, when one did: {@code dns}, {@code tls}, {@code auth} ...
     */
    public record Verified(Instant at, boolean ok, Optional<String> failedStep) {

        public Verified {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(failedStep, "failedStep");
        }
    }

    /**
     * A configuration that was applied.
     *
     * @param configuration the configuration
     * @param appliedAt     when it became active
     * @param source        the backend it came from, e.g. {@code file} or {@code etcd}
     * @param revision      the backend's revision of it, 0 when the backend keeps none
     */
    public record Applied(SmtpConfiguration configuration, Instant appliedAt, String source, long revision) {

        public Applied {
            Objects.requireNonNull(configuration, "configuration");
            Objects.requireNonNull(appliedAt, "appliedAt");
            Objects.requireNonNull(source, "source");
        }

        /** The same configuration, confirmed at a later revision of the backend. */
        public Applied atRevision(long newRevision) {
            return new Applied(configuration, appliedAt, source, newRevision);
        }
    }

    /**
     * A reload that failed.
     *
     * @param at      when it failed
     * @param message why, in words an operator can act on
     */
    public record ReloadError(Instant at, String message) {

        public ReloadError {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(message, "message");
        }
    }
}
