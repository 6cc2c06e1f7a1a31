package dev.mailservice.bootstrap;

import com.google.inject.Module;

/** The Guice module of the configuration backend the settings name: one per backend. */
final class BackendModules {

    private BackendModules() {}

    static Module of(Settings settings) {
        return switch (settings.backend().kind()) {
            case FILE -> new FileBackendModule(settings);
            case ETCD -> new EtcdBackendModule(settings);
            case REDIS -> new RedisBackendModule(settings);
        };
    }
}
