package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.PipesHubStore;
import dev.mailservice.adapters.config.PipesHubTokenSecrets;
import dev.mailservice.application.port.out.ConfigRepository;
import java.time.Duration;

/**
 * What every backend on one of PipesHub's key-value stores binds alike: the repository on the
 * store, owned (and closed) by it, and the token secrets the environment lacks, read from
 * PipesHub's {@code /services/secretKeys}. A subclass binds the {@link PipesHubStore} itself.
 */
abstract class KeyValueBackendModule extends AbstractModule {

    /** The service's settings, for the subclass's store too. */
    final Settings settings;
    private final Secret secretKey;
    private final Duration secretsWait;

    KeyValueBackendModule(Settings settings, Secret secretKey, Duration secretsWait) {
        this.settings = settings;
        this.secretKey = secretKey;
        this.secretsWait = secretsWait;
    }

    @Provides
    @Singleton
    AesGcmCipher cipher() {
        return new AesGcmCipher(secretKey.reveal());
    }

    @Provides
    @Singleton
    ConfigRepository configRepository(PipesHubStore store, AesGcmCipher cipher) {
        return new KeyValueConfigRepository(store, cipher);
    }

    @Provides
    @Singleton
    TokenSecrets tokenSecrets(PipesHubStore store, AesGcmCipher cipher) {
        return TokenSecrets.resolve(settings.tokens(), new PipesHubTokenSecrets(store, cipher), secretsWait);
    }
}
