package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.http.ConfigManagerRoutes;
import dev.mailservice.adapters.http.HttpServer;
import dev.mailservice.adapters.http.MailRoutes;
import dev.mailservice.adapters.http.TokenVerifier;
import dev.mailservice.adapters.mail.JakartaMailTransportFactory;
import dev.mailservice.adapters.mail.MustacheMailRenderer;
import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SendEmail;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.service.ActiveMailSender;
import dev.mailservice.application.service.ConfigurationFollower;

/**
 * The mail and HTTP adapters, configured by the {@link Settings}, and the running service made of
 * them. The configuration backend comes from its own module ({@link BackendModules}).
 */
final class AdaptersModule extends AbstractModule {

    private final Settings settings;

    AdaptersModule(Settings settings) {
        this.settings = settings;
    }

    /** Read once, so that a bad {@code TLS_CA_FILE} stops the start naming it. */
    @Provides
    @Singleton
    TrustedAuthorities trustedAuthorities() {
        return TrustedAuthorities.of(settings.tlsCaFile());
    }

    @Provides
    @Singleton
    MailTransportFactory mailTransportFactory(TrustedAuthorities authorities) {
        return new JakartaMailTransportFactory(settings.smtpTimeout(), settings.smtpPoolSize(), settings.smtpRequireTls(),
                authorities.smtpSocketFactory());
    }

    @Provides
    @Singleton
    MailRenderer mailRenderer() {
        return new MustacheMailRenderer(settings.mailBrandName());
    }

    @Provides
    @Singleton
    HttpServer httpServer(ReloadSmtpConfiguration reload, GetSmtpStatus status, SendEmail sendEmail,
            SaveSmtpConfiguration save, GetStoredSmtpConfiguration stored, TokenSecrets secrets) {
        TokenVerifier scopedTokens = new TokenVerifier(secrets.scopedJwtSecret());
        TokenVerifier userTokens = new TokenVerifier(secrets.jwtSecret());
        return new HttpServer(settings.port(), settings.httpIdleTimeout(),
                new MailRoutes(reload, status, sendEmail, scopedTokens),
                new ConfigManagerRoutes(save, stored, userTokens, scopedTokens, settings.hideSecretConfig()));
    }

    @Provides
    @Singleton
    MailServiceRuntime mailServiceRuntime(HttpServer http, ConfigurationFollower follower, ActiveMailSender sender,
            ConfigRepository repository) {
        return new MailServiceRuntime(http, follower, sender, repository);
    }
}
