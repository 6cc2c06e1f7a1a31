package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.EtcdConfigRepository;
import dev.mailservice.adapters.config.EtcdStore;
import dev.mailservice.adapters.config.EtcdTokenSecrets;
import dev.mailservice.adapters.config.FileConfigRepository;
import dev.mailservice.adapters.http.ConfigManagerHttpService;
import dev.mailservice.adapters.http.MailHttpServer;
import dev.mailservice.adapters.http.MailHttpService;
import dev.mailservice.adapters.http.TokenVerifier;
import dev.mailservice.adapters.mail.JakartaMailTransportFactory;
import dev.mailservice.adapters.mail.MustacheMailRenderer;
import dev.mailservice.application.port.in.GetActiveSmtpConfiguration;
import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SendEmail;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.application.port.out.MailTransportFactory;
import java.util.Optional;

/** The adapters, chosen and configured by the {@link Settings}: which backend, which port. */
final class AdaptersModule extends AbstractModule {

    private final Settings settings;

    AdaptersModule(Settings settings) {
        this.settings = settings;
    }

    /** The connection to etcd, when the settings name one; it connects on first use. */
    @Provides
    @Singleton
    Optional<EtcdStore> etcdStore() {
        return settings.etcd().map(etcd -> new EtcdStore(etcd.endpoints(), etcd.dialTimeout()));
    }

    @Provides
    @Singleton
    Optional<AesGcmCipher> etcdCipher() {
        return settings.etcd().map(etcd -> new AesGcmCipher(etcd.secretKey()));
    }

    @Provides
    @Singleton
    ConfigRepository configRepository(Optional<EtcdStore> etcd, Optional<AesGcmCipher> cipher) {
        return switch (settings.backend()) {
            case FILE -> new FileConfigRepository(settings.configFile());
            case ETCD -> new EtcdConfigRepository(etcd.orElseThrow(), cipher.orElseThrow());
        };
    }

    @Provides
    @Singleton
    TokenSecrets tokenSecrets(Optional<EtcdStore> etcd, Optional<AesGcmCipher> cipher) {
        return TokenSecrets.resolve(settings,
                etcd.map(store -> new EtcdTokenSecrets(store, cipher.orElseThrow())));
    }

    @Provides
    @Singleton
    MailTransportFactory mailTransportFactory() {
        return new JakartaMailTransportFactory(settings.smtpTimeout(), settings.smtpPoolSize(), settings.smtpRequireTls());
    }

    @Provides
    @Singleton
    MailRenderer mailRenderer() {
        return new MustacheMailRenderer(settings.mailBrandName());
    }

    @Provides
    @Singleton
    MailHttpServer mailHttpServer(ReloadSmtpConfiguration reload, GetActiveSmtpConfiguration active,
            SendEmail sendEmail, SaveSmtpConfiguration save, GetStoredSmtpConfiguration stored, TokenSecrets secrets) {
        TokenVerifier scopedTokens = new TokenVerifier(secrets.scopedJwtSecret());
        TokenVerifier userTokens = new TokenVerifier(secrets.jwtSecret());
        return new MailHttpServer(settings.port(), settings.httpIdleTimeout(), new MailHttpService(reload, active, sendEmail, scopedTokens),
                new ConfigManagerHttpService(save, stored, userTokens, scopedTokens, settings.hideSecretConfig()));
    }
}
