package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.config.FileConfigRepository;
import dev.mailservice.adapters.http.MailHttpServer;
import dev.mailservice.adapters.http.MailHttpService;
import dev.mailservice.adapters.http.TokenVerifier;
import dev.mailservice.adapters.mail.JakartaMailTransportFactory;
import dev.mailservice.application.port.in.GetActiveSmtpConfiguration;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailTransportFactory;

/** The adapters, chosen and configured by the {@link Settings}: which backend, which port. */
final class AdaptersModule extends AbstractModule {

    private final Settings settings;

    AdaptersModule(Settings settings) {
        this.settings = settings;
    }

    @Provides
    @Singleton
    ConfigRepository configRepository() {
        return switch (settings.backend()) {
            case FILE -> new FileConfigRepository(settings.configFile());
        };
    }

    @Provides
    @Singleton
    MailTransportFactory mailTransportFactory() {
        return new JakartaMailTransportFactory(settings.smtpTimeout());
    }

    @Provides
    @Singleton
    MailHttpServer mailHttpServer(ReloadSmtpConfiguration reload, GetActiveSmtpConfiguration active) {
        TokenVerifier scopedTokens = new TokenVerifier(settings.scopedJwtSecret());
        return new MailHttpServer(settings.port(), new MailHttpService(reload, active, scopedTokens));
    }
}
