package dev.mailservice.bootstrap;

import java.util.Objects;
import java.util.Optional;

/**
 * The secrets tokens are signed with, as the environment gives them. With a key-value backend
 * (etcd, Redis) either may be left out: {@link TokenSecrets} then reads it from the store.
 *
 * @param scopedJwtSecret {@code SCOPED_JWT_SECRET}: the HMAC secret of scoped tokens; with a
 *                        key-value backend (etcd, Redis) it may be left out and is then read there
 * @param jwtSecret       {@code JWT_SECRET}: the HMAC secret of user tokens, the same way
 */
record TokenSettings(Optional<Secret> scopedJwtSecret, Optional<Secret> jwtSecret) {

    static final String SCOPED_JWT_SECRET = "SCOPED_JWT_SECRET";
    static final String JWT_SECRET = "JWT_SECRET";

    /** PipesHub generates its secrets as 20 letters and digits; anything shorter is refused. */
    static final int MIN_SECRET_LENGTH = 20;

    TokenSettings {
        Objects.requireNonNull(scopedJwtSecret, "scopedJwtSecret");
        Objects.requireNonNull(jwtSecret, "jwtSecret");
    }

    /** Whether both secrets are given, so that none must come from the store. */
    boolean complete() {
        return scopedJwtSecret.isPresent() && jwtSecret.isPresent();
    }

    /**
     * Reads the secrets from {@code environment}.
     *
     * @param storeCanTellThem whether the backend is a key-value store that may hold the secrets
     *                         instead
     * Refuses, in {@code environment}, each secret that is missing or too short.
     */
    static TokenSettings read(Environment environment, boolean storeCanTellThem) {
        return new TokenSettings(
                tokenSecret(environment, SCOPED_JWT_SECRET, "scoped tokens", storeCanTellThem),
                tokenSecret(environment, JWT_SECRET, "user tokens", storeCanTellThem));
    }

    /** A token secret: required unless the key-value store can tell it, and never shorter than PipesHub's. */
    private static Optional<Secret> tokenSecret(
            Environment environment, String name, String signs, boolean storeCanTellIt) {
        Optional<String> secret = environment.nonEmpty(name);
        if (secret.isEmpty() && !storeCanTellIt) {
            return environment.refuse(name + " is required: the secret " + signs + " are signed with, at least "
                    + MIN_SECRET_LENGTH + " characters (with " + BackendSettings.SMTP_CONFIG_BACKEND + "=etcd or redis "
                    + "it may instead come from the store); " + Secret.PIPESHUBS_OR_NEW, Optional.empty());
        }
        if (secret.isPresent() && secret.get().length() < MIN_SECRET_LENGTH) {
            return environment.refuse(tooShort(name, secret.get()) + "; " + Secret.MAKE_ONE, Optional.empty());
        }
        return secret.map(Secret::new);
    }

    /**
     * Refuses a token secret shorter than PipesHub's, naming where it came from but never
     * showing it.
     *
     * @throws InvalidSettingsException if {@code secret} is too short
     */
    static String checkSecretLength(String name, String secret) {
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new InvalidSettingsException(tooShort(name, secret));
        }
        return secret;
    }

    private static String tooShort(String name, String secret) {
        return name + " is too short: " + secret.length() + " characters, at least " + MIN_SECRET_LENGTH + " are needed";
    }
}
