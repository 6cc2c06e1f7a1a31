package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import java.time.Duration;
import java.util.Optional;

/**
 * What one connection logs in with: the configuration's username and the secret got for it when
 * the connection was opened (the password, or an access token for XOAUTH2). Kept with the
 * connection only to hide the secret should the server echo it ({@link #shown}); the next
 * connection asks its {@link SmtpCredentials} again.
 *
 * @param secret   empty when the configuration does not log in
 * @param renewed  whether the secret is an access token asked for after the server refused the one before
 */
record SmtpLogin(Optional<String> username, Optional<Password> secret, boolean accessToken, boolean renewed) {

    /**
     * The login of a connection to open now for {@code configuration}: with the secret {@code
     * credentials} give {@code within} when it logs in ({@link SmtpConfiguration#logsIn()}), without
     * one otherwise.
     *
     * @throws dev.mailservice.application.failure.DeliveryFailed as {@link SmtpCredentials#secret}, when no
     *         access token can be had in time
     */
    static SmtpLogin of(SmtpConfiguration configuration, SmtpCredentials credentials, Duration within) {
        return new SmtpLogin(configuration.username(),
                configuration.logsIn() ? Optional.of(credentials.secret(within)) : Optional.empty(),
                credentials.accessToken(), false);
    }

    /** This login with {@code token}, asked for after the server refused this one's. */
    SmtpLogin renewedWith(Password token) {
        return new SmtpLogin(username, Optional.of(token), accessToken, true);
    }

    /** Whether the login is XOAUTH2 with an access token. */
    boolean xoauth2() {
        return accessToken && secret.isPresent();
    }

    /** The user to log in as: only with a secret, which a username alone does not log in without. */
    String user() {
        return secret.isPresent() ? username.orElse(null) : null;
    }

    /** The password or the access token to log in with, only with a username; null for none. */
    String password() {
        return username.isPresent() ? secret.map(Password::reveal).orElse(null) : null;
    }

    /** What a server said, on one line and without this login's secret ({@link ServerReplies#shown}). */
    String shown(String said) {
        return ServerReplies.shown(said, secret, accessToken ? "[access token]" : "[password]");
    }
}
