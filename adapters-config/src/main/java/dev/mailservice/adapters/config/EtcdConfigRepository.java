package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.InvalidSmtpConfigurationException;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ConfigRepository} on etcd in PipesHub's layout: key {@code /services/smtp}, value the
 * contract's JSON object encrypted by {@link AesGcmCipher}. The revision is etcd's mod revision.
 * A value that cannot be decrypted (a wrong {@code SECRET_KEY}, a tampered value) is an invalid
 * configuration that says so. A save is a transaction that writes only over the revision the
 * caller read, so that it never undoes a newer write. The repository owns its connection to etcd
 * and closes it with itself.
 */
public final class EtcdConfigRepository implements ConfigRepository {

    /** Where PipesHub keeps the SMTP configuration. */
    public static final String KEY = "/services/smtp";

    private final EtcdStore store;
    private final AesGcmCipher cipher;

    public EtcdConfigRepository(EtcdStore store, AesGcmCipher cipher) {
        this.store = Objects.requireNonNull(store, "store");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    @Override
    public Optional<StoredSmtpConfiguration> load() {
        return store.get(KEY).map(entry -> ConfigurationDocument.parse(
                decrypt(entry.value()).getBytes(StandardCharsets.UTF_8), location(), entry.modRevision()));
    }

    @Override
    public long currentRevision() {
        return store.modRevision(KEY);
    }

    @Override
    public long save(SmtpConfiguration configuration, OpaqueFields otherFields, long expectedRevision) {
        return store.putIfUnchanged(KEY,
                cipher.encrypt(new String(ConfigurationDocument.format(configuration, otherFields), StandardCharsets.UTF_8)),
                expectedRevision);
    }

    @Override
    public Subscription watch(ChangeListener listener) {
        return store.watch(KEY, listener::storedConfigurationMayHaveChanged);
    }

    @Override
    public String sourceName() {
        return "etcd";
    }

    @Override
    public String location() {
        return store.locationOf(KEY);
    }

    @Override
    public void close() {
        store.close();
    }

    private String decrypt(String value) {
        try {
            return cipher.decrypt(value);
        } catch (AesGcmCipher.UndecryptableValueException e) {
            throw new InvalidSmtpConfigurationException(null,
                    "The SMTP configuration in " + location() + " cannot be decrypted: " + e.getMessage());
        }
    }
}
