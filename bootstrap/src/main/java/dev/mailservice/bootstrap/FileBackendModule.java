package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.config.FileConfigRepository;
import dev.mailservice.application.port.out.ConfigRepository;

/** The file backend: one JSON file, watched through its directory; the token secrets come from the environment. */
final class FileBackendModule extends AbstractModule {

    private final Settings settings;

    FileBackendModule(Settings settings) {
        this.settings = settings;
    }

    @Provides
    @Singleton
    ConfigRepository configRepository() {
        return new FileConfigRepository(settings.backend().configFile(), settings.backend().storedValueMaxBytes());
    }

    @Provides
    @Singleton
    TokenSecrets tokenSecrets() {
        return TokenSecrets.fromEnvironment(settings.tokens());
    }
}
