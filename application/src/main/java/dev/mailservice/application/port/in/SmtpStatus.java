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
 * @param oauth2Token     the access tokens of the active configuration, when it logs in with OAuth 2.0
 */
public record SmtpStatus(Optional<Applied> active, Optional<ReloadError> lastReloadError, List<String> warnings,
        Optional<Verified> lastVerified, Optional<OAuth2Token> oauth2Token) {

    public SmtpStatus {
        Objects.requireNonNull(active, "active");
        Objects.requireNonNull(lastReloadError, "lastReloadError");
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(lastVerified, "lastVerified");
        Objects.requireNonNull(oauth2Token, "oauth2Token");
    }

    /**
     * The access tokens the active configuration logs in with.
     *
     * @param kind        the login's kind: {@code microsoft}, {@code google}, {@code refreshToken}
     * @param endpoint    the token endpoint they are asked for at
     * @param expiresAt   when the cached token expires; empty before the first was had
     * @param lastRefresh when the cached token was asked for
     * @param lastError   the failure of the last request, when it failed; cleared by the next token
     */
    public record OAuth2Token(String kind, String endpoint, Optional<Instant> expiresAt, Optional<Instant> lastRefresh,
            Optional<TokenError> lastError) {

        public OAuth2Token {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(expiresAt, "expiresAt");
            Objects.requireNonNull(lastRefresh, "lastRefresh");
            Objects.requireNonNull(lastError, "lastError");
        }
    }

    /**
     * A token request that failed.
     *
     * @param at      when
     * @param message the endpoint and its answer, never a secret
     * @param refused whether the endpoint answered with a refusal (asking again gets the same), rather than not at all
     */
    public record TokenError(Instant at, String message, boolean refused) {

        public TokenError {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(message, "message");
        }
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
