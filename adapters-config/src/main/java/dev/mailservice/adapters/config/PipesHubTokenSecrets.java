package dev.mailservice.adapters.config;

import dev.mailservice.pipeshub.StrictJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the token secrets PipesHub keeps in its key-value store, so a PipesHub deployment needs to
 * give this service only {@code SECRET_KEY} and the store's address: key
 * {@code /services/secretKeys}, a JSON object encrypted like every PipesHub value, with
 * {@code jwtSecret} and {@code scopedJwtSecret} among its fields.
 */
public final class PipesHubTokenSecrets {

    /** Where PipesHub keeps its secrets. */
    public static final String PATH = "/services/secretKeys";

    private final PipesHubStore store;
    private final AesGcmCipher cipher;

    /**
     * The secrets found; a field PipesHub did not store is empty.
     *
     * @param jwtSecret       signs user tokens
     * @param scopedJwtSecret signs scoped (service-to-service) tokens
     */
    public record Secrets(Optional<String> jwtSecret, Optional<String> scopedJwtSecret) {

        /** Which secrets were found, not their values. */
        @Override
        public String toString() {
            return "Secrets[jwtSecret " + (jwtSecret.isPresent() ? "hidden" : "empty") + ", scopedJwtSecret "
                    + (scopedJwtSecret.isPresent() ? "hidden" : "empty") + "]";
        }
    }

    /**
     * The stored secrets cannot be used: too long or of another type, not decryptable with this
     * {@code SECRET_KEY}, or not the expected object.
     */
    public static final class UnreadableSecretsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableSecretsException(String message) {
            super(message);
        }
    }

    public PipesHubTokenSecrets(PipesHubStore store, AesGcmCipher cipher) {
        this.store = Objects.requireNonNull(store, "store");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    /**
     * Where the secrets are kept, such as {@code etcd key /services/secretKeys at http://etcd:2379}:
     * the secrets are read at start-up only, so this goes into start-up messages and logs, never
     * into answers.
     */
    public String location() {
        return store.locationOf(PATH) + " at " + store.address();
    }

    /**
     * @return the secrets, or empty when the key does not exist
     * @throws dev.mailservice.application.failure.BackendUnavailable if the store cannot be reached
     * @throws UnreadableSecretsException if the value cannot be used, decrypted, or is not the
     *                                    expected JSON object; the message says why, never a secret
     */
    public Optional<Secrets> read() {
        String subject = "The token secrets in " + location();
        Optional<String> stored;
        try {
            stored = store.value(PATH);
        } catch (PipesHubStore.UnusableValueException e) {
            throw new UnreadableSecretsException(subject + " cannot be read: " + e.getMessage());
        }
        return stored.map(value -> {
            String json;
            try {
                json = cipher.decrypt(value);
            } catch (AesGcmCipher.UndecryptableValueException e) {
                throw new UnreadableSecretsException(subject + " cannot be decrypted: " + e.getMessage());
            }
            Map<String, Object> fields;
            try {
                fields = ConfigurationDocument.parseObject(json.getBytes(StandardCharsets.UTF_8), subject);
            } catch (StrictJson.NotAJsonObjectException e) {
                throw new UnreadableSecretsException(e.getMessage());
            }
            return new Secrets(text(fields, "jwtSecret", subject), text(fields, "scopedJwtSecret", subject));
        });
    }

    private static Optional<String> text(Map<String, Object> fields, String name, String subject) {
        Object value = fields.get(name);
        if (value == null || value instanceof String) {
            return Optional.ofNullable((String) value).filter(secret -> !secret.isEmpty());
        }
        throw new UnreadableSecretsException(subject + ": " + name + " must be a string");
    }
}
