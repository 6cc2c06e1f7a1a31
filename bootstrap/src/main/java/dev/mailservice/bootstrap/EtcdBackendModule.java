package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.EtcdConfigRepository;
import dev.mailservice.adapters.config.EtcdStore;
import dev.mailservice.adapters.config.PipesHubTokenSecrets;
import dev.mailservice.application.port.out.ConfigRepository;

/**
 * The etcd backend, in PipesHub's layout: one connection, owned (and closed) by the repository;
 * the token secrets the environment lacks come from PipesHub's {@code /services/secretKeys}.
 */
final class EtcdBackendModule extends AbstractModule {

    private final Settings settings;
    private final Settings.Etcd etcd;

    EtcdBackendModule(Settings settings) {
        this.settings = settings;
        this.etcd = settings.etcd().orElseThrow();
    }

    /** Connects lazily: no call is made until the first read. */
    @Provides
    @Singleton
    EtcdStore etcdStore() {
        return new EtcdStore(etcd.endpoints(), etcd.dialTimeout());
    }

    @Provides
    @Singleton
    AesGcmCipher cipher() {
        return new AesGcmCipher(etcd.secretKey());
    }

    @Provides
    @Singleton
    ConfigRepository configRepository(EtcdStore store, AesGcmCipher cipher) {
        return new EtcdConfigRepository(store, cipher);
    }

    @Provides
    @Singleton
    TokenSecrets tokenSecrets(EtcdStore store, AesGcmCipher cipher) {
        return TokenSecrets.resolve(settings, new PipesHubTokenSecrets(store, cipher), etcd.secretsWait());
    }
}
