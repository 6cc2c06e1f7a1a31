package dev.mailservice.bootstrap;

import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.config.EtcdStore;
import dev.mailservice.adapters.config.PipesHubStore;

/** The etcd backend, in PipesHub's layout: one connection to the cluster. */
final class EtcdBackendModule extends KeyValueBackendModule {

    private final EtcdSettings etcd;

    EtcdBackendModule(Settings settings) {
        this(settings, settings.backend().etcd().orElseThrow());
    }

    private EtcdBackendModule(Settings settings, EtcdSettings etcd) {
        super(settings, etcd.secretKey(), etcd.secretsWait());
        this.etcd = etcd;
    }

    /** Connects lazily: no call is made until the first read. */
    @Provides
    @Singleton
    PipesHubStore etcdStore(TrustedAuthorities authorities) {
        return new EtcdStore(etcd.endpoints(), etcd.dialTimeout(), authorities.trustManagers(),
                settings.backend().storedValueMaxBytes());
    }
}
