package dev.mailservice.application.port.out;

import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Out-port: an OAuth 2.0 token endpoint, asked for an access token to log in to an SMTP server with
 * (SASL XOAUTH2). Each call is one request with the login's grant, bounded by the adapter's
 * timeouts. It never throws for what the endpoint does or fails to do: every outcome is an {@link
 * Answer}, and no answer holds a secret or the access token in its words.
 */
public interface TokenEndpoint {

    /** Asks the endpoint of {@code login} for an access token for the mailbox {@code username}. */
    Answer request(OAuth2Login login, String username);

    /** Where a token for {@code login} is asked for, for messages and the status. */
    URI endpointOf(OAuth2Login login);

    /** How a token request went. */
    sealed interface Answer {

        /** What the endpoint said, in words for an operator: never the token or a secret. */
        String said();
    }

    /**
     * The endpoint gave a token.
     *
     * @param accessToken     the token, to log in with
     * @param lifetime        how long it is valid from when it was asked for ({@code expires_in})
     * @param newRefreshToken a refresh token given in place of the one asked with (rotation)
     * @param scope           the scope granted, as the endpoint said or as asked for
     */
    record Issued(Password accessToken, Duration lifetime, Optional<Password> newRefreshToken, String scope)
            implements Answer {

        public Issued {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(lifetime, "lifetime");
            Objects.requireNonNull(newRefreshToken, "newRefreshToken");
            Objects.requireNonNull(scope, "scope");
        }

        @Override
        public String said() {
            return "a token valid for " + lifetime.toSeconds() + " s";
        }
    }

    /**
     * The endpoint refused: it answered with an OAuth 2.0 error (a wrong secret, an unknown client,
     * a revoked grant). Asking again with the same login gets the same answer.
     *
     * @param error       the endpoint's {@code error}, e.g. {@code invalid_client}
     * @param description its {@code error_description}, when it gave one, made fit to show
     */
    record Refused(String error, Optional<String> description) implements Answer {

        public Refused {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(description, "description");
        }

        @Override
        public String said() {
            return "refused: " + error + description.map(text -> " (" + text + ")").orElse("");
        }
    }

    /**
     * The endpoint could not be asked, or did not answer as OAuth 2.0 says (down, a timeout, an
     * untrusted certificate, a server error): asking again later may work.
     *
     * @param reason what happened, in words an operator can act on
     */
    record Unavailable(String reason) implements Answer {

        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String said() {
            return reason;
        }
    }
}
