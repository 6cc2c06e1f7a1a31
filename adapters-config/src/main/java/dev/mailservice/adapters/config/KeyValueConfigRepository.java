package dev.mailservice.adapters.config;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ConfigRepository} on PipesHub's key-value store (etcd or Redis, a {@link PipesHubStore}):
 * path {@code /services/smtp}, value the contract's JSON object encrypted by {@link AesGcmCipher}.
 * A value that cannot be decrypted (a wrong {@code SECRET_KEY}, a tampered value) or used at all
 * (too long, of another type) is an invalid configuration that says so.
 *
 * <p>A value's stamp in the store is its revision here: etcd's mod revision, or
 * {@link StoredSmtpConfiguration#UNVERSIONED} on Redis, which keeps none. A save writes only over
 * the value the caller read, where the store can tell, so that it never undoes a newer write. The
 * repository owns its store and closes it with itself.
 */
public final class KeyValueConfigRepository implements ConfigRepository {

    /** Where PipesHub keeps the SMTP configuration. */
    public static final String PATH = "/services/smtp";

    private final PipesHubStore store;
    private final AesGcmCipher cipher;

    public KeyValueConfigRepository(PipesHubStore store, AesGcmCipher cipher) {
        this.store = Objects.requireNonNull(store, "store");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    @Override
    public Optional<StoredSmtpConfiguration> load() {
        Optional<PipesHubStore.Entry> stored;
        try {
            stored = store.get(PATH);
        } catch (PipesHubStore.UnusableValueException e) {
            throw ConfigurationDocument.unusable(location(), e);
        }
        return stored.map(entry -> ConfigurationDocument.parse(
                decrypt(entry.value()).getBytes(StandardCharsets.UTF_8), location(), entry.stamp()));
    }

    @Override
    public long currentRevision() {
        return store.stampOf(PATH);
    }

    @Override
    public long save(SmtpConfiguration configuration, OpaqueFields otherFields, long expectedRevision) {
        String value = cipher.encrypt(new String(ConfigurationDocument.format(configuration, otherFields),
                StandardCharsets.UTF_8));
        ConfigurationDocument.checkStorable(value.getBytes(StandardCharsets.UTF_8).length, store.maxValueBytes(),
                location());
        return store.writeOver(PATH, value, expectedRevision);
    }

    @Override
    public Subscription watch(ChangeListener listener) {
        return store.watch(PATH, listener);
    }

    /** Each call of this repository is one call of the store's (and a save whose write etcd did not answer, its check). */
    @Override
    public Duration longestCall() {
        return store.longestCall();
    }

    @Override
    public String backendName() {
        return store.kind();
    }

    @Override
    public String location() {
        return store.locationOf(PATH);
    }

    @Override
    public void close() {
        store.close();
    }

    private String decrypt(String value) {
        try {
            return cipher.decrypt(value);
        } catch (AesGcmCipher.UndecryptableValueException e) {
            throw new InvalidInput(null,
                    "The SMTP configuration in " + location() + " cannot be decrypted: " + e.getMessage());
        }
    }
}
