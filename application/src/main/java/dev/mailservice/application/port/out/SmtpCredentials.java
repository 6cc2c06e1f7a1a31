package dev.mailservice.application.port.out;

import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import java.time.Duration;
import java.util.Optional;

/**
 * What a transport logs in to the SMTP server with, for the configuration's {@code username}: its
 * password, or an OAuth 2.0 access token that the core gets, caches and renews (SASL XOAUTH2).
 * Safe to use from many threads at once.
 */
public interface SmtpCredentials {

    /** Whether the secret is an OAuth 2.0 access token (the login is XOAUTH2), not a password. */
    boolean accessToken();

    /**
     * The secret to log in with now: the password, or an access token still valid. Asks the token
     * endpoint only when no cached token is valid, one request however many logins wait for it, and
     * waits for that request {@code within} at most (what is left of the send's deadline): a
     * request that takes longer goes on for the logins after this one.
     *
     * @throws dev.mailservice.application.failure.DeliveryFailed when no access token can be had: at
     *         once after a failed request until the next is due or done, naming the token endpoint
     *         and its answer; for now, when the request is still under way after {@code within}
     */
    Password secret(Duration within);

    /**
     * The server refused {@code refused}, which was thought valid (a revoked token): the secret to
     * try once more with, or empty when there is no other (a password).
     *
     * @throws dev.mailservice.application.failure.DeliveryFailed as {@link #secret(Duration)}
     */
    Optional<Password> afterRefusal(Password refused, Duration within);

    /** One access token, to log in with once (a verification): nothing renews it. */
    static SmtpCredentials accessToken(Password token) {
        return new SmtpCredentials() {
            @Override
            public boolean accessToken() {
                return true;
            }

            @Override
            public Password secret(Duration within) {
                return token;
            }

            @Override
            public Optional<Password> afterRefusal(Password refused, Duration within) {
                return Optional.empty();
            }
        };
    }

    /** The password of {@code configuration}, for a configuration that logs in with one (or not at all). */
    static SmtpCredentials password(SmtpConfiguration configuration) {
        return new SmtpCredentials() {
            @Override
            public boolean accessToken() {
                return false;
            }

            @Override
            public Password secret(Duration within) {
                return configuration.password().orElseThrow(
                        () -> new IllegalStateException("the configuration has no password to log in with"));
            }

            @Override
            public Optional<Password> afterRefusal(Password refused, Duration within) {
                return Optional.empty();
            }
        };
    }
}
