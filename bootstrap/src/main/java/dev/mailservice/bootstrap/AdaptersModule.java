package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.http.HttpServer;
import dev.mailservice.adapters.http.edge.BodyMemoryBudget;
import dev.mailservice.adapters.http.edge.TokenVerifier;
import dev.mailservice.adapters.http.metrics.HelidonServiceMetrics;
import dev.mailservice.adapters.http.observe.Observability;
import dev.mailservice.adapters.http.observe.RequestIds;
import dev.mailservice.adapters.http.routes.ConfigManagerRoutes;
import dev.mailservice.adapters.http.routes.ConsoleRoutes;
import dev.mailservice.adapters.http.routes.MailRoutes;
import dev.mailservice.adapters.mail.AngusSmtpProbe;
import dev.mailservice.adapters.mail.JakartaMailTransportFactory;
import dev.mailservice.adapters.mail.oauth2.NimbusTokenEndpoint;
import dev.mailservice.adapters.mail.MustacheMailRenderer;
import dev.mailservice.adapters.mail.SmtpMeters;
import dev.mailservice.application.port.in.GetRecentSends;
import dev.mailservice.application.port.in.GetServiceHealth;
import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SendMail;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.in.VerifySmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.CurrentRequest;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.application.service.ActiveMailSender;
import dev.mailservice.application.service.ConfigurationFollower;
import dev.mailservice.application.service.SmtpLogins;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

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
    JakartaMailTransportFactory jakartaMailTransportFactory(TrustedAuthorities authorities) {
        return new JakartaMailTransportFactory(settings.mail().smtp(), authorities.smtpSocketFactory());
    }

    /** The HTTP request a thread serves, as the HTTP adapter names it. */
    @Provides
    @Singleton
    CurrentRequest currentRequest() {
        return RequestIds::current;
    }

    /** Trusting what the SMTP transport trusts; each request bounded by {@code SMTP_TIMEOUT_MS} too. */
    @Provides
    @Singleton
    TokenEndpoint tokenEndpoint(TrustedAuthorities authorities) {
        return new NimbusTokenEndpoint(settings.mail().microsoftAuthority(), authorities.smtpSocketFactory(),
                settings.mail().smtp().timeout());
    }

    @Provides
    @Singleton
    MailTransportFactory mailTransportFactory(JakartaMailTransportFactory transports) {
        return transports;
    }

    /** With the transports' settings and the same trusted authorities, so that what passes here passes a send. */
    @Provides
    @Singleton
    SmtpProbe smtpProbe(JakartaMailTransportFactory transports, TrustedAuthorities authorities) {
        return new AngusSmtpProbe(transports, authorities::trustManagers);
    }

    @Provides
    @Singleton
    MailRenderer mailRenderer() {
        return new MustacheMailRenderer(settings.mail().brandName());
    }

    /**
     * The meters, with the gauges read from the use cases and the mail adapter's pools: the active
     * configuration's revision and age, the backend's reachability, the SMTP connections.
     */
    @Provides
    @Singleton
    HelidonServiceMetrics serviceMetrics(Provider<GetSmtpStatus> statusLater, GetServiceHealth health,
            MailTransportFactory transports, Clock clock) {
        // Read when the meters are served: the status depends on the tokens, which count their requests here.
        GetSmtpStatus status = () -> statusLater.get().status();
        HelidonServiceMetrics metrics = new HelidonServiceMetrics();
        metrics.gauge("configuration.active", "1 while a configuration is active, else 0",
                () -> status.status().active().isPresent() ? 1 : 0);
        metrics.gauge("configuration.revision", "The backend's revision of the active configuration (0 where it keeps none)",
                () -> status.status().active().map(SmtpStatus.Applied::revision).orElse(0L));
        metrics.gauge("configuration.applied.timestamp.seconds", "When the active configuration was applied, epoch seconds",
                () -> status.status().active().map(applied -> applied.appliedAt().getEpochSecond()).orElse(0L));
        metrics.gauge("oauth2.token.expiry.seconds", "Seconds until the active OAuth 2.0 access token expires; 0 when "
                + "none is", () -> status.status().oauth2Token().flatMap(SmtpStatus.OAuth2Token::expiresAt)
                        .map(expiry -> Math.max(0, Duration.between(clock.instant(), expiry).toMillis() / 1000.0))
                        .orElse(0.0));
        metrics.gauge("backend.up", "1 when the last reload or save reached the backend, else 0",
                () -> health.health().backend().map(contact -> contact.reachable() ? 1 : 0).orElse(0));
        if (transports instanceof JakartaMailTransportFactory jakarta) {
            SmtpMeters smtp = jakarta.meters();
            metrics.gauge("smtp.connections.busy", "SMTP connections lent to a send right now", smtp::busy);
            metrics.gauge("smtp.connections.idle", "SMTP connections open and waiting for the next send", smtp::idle);
            metrics.gauge("smtp.connections.allowed", "SMTP connections the pools may open now, fewer where a server "
                    + "refused more", smtp::allowed);
            metrics.counter("smtp.connections.opened", "SMTP connections opened and logged in", smtp::opened);
            metrics.counter("smtp.sends.waited", "Sends that found every SMTP connection busy and waited", smtp::waited);
            metrics.counter("smtp.send.attempts", "Attempts at mails, first ones and retries", smtp::attempts);
            for (String cause : smtp.retryCauses()) {
                metrics.counter("smtp.send.retries", "Mails tried again, by why", Map.of("cause", cause),
                        () -> smtp.retries(cause));
            }
        }
        return metrics;
    }

    @Provides
    @Singleton
    ServiceMetrics serviceMetricsPort(HelidonServiceMetrics metrics) {
        return metrics;
    }

    @Provides
    @Singleton
    HttpServer httpServer(ReloadSmtpConfiguration reload, GetSmtpStatus status, SendMail sendEmail,
            SaveSmtpConfiguration save, GetStoredSmtpConfiguration stored, VerifySmtpConfiguration verify,
            GetServiceHealth health, GetRecentSends recentSends, TokenSecrets secrets) {
        TokenVerifier tokens = new TokenVerifier(secrets.scopedJwtSecret(), secrets.jwtSecret());
        HttpSettings http = settings.http();
        return new HttpServer(http.port(), http.idleTimeout(), http.maxConnections(), settings.drainTimeout(),
                BodyMemoryBudget.forHeap(Runtime.getRuntime().maxMemory()),
                new MailRoutes(reload, status, sendEmail, recentSends, tokens, http.hideSecretConfig()),
                new ConfigManagerRoutes(save, stored, verify, tokens, http.hideSecretConfig()),
                Optional.of(new ConsoleRoutes()).filter(on -> http.consoleEnabled()),
                new Observability(health, http.readyRequiresSmtp(), http.observePort()));
    }

    @Provides
    @Singleton
    MailServiceRuntime mailServiceRuntime(HttpServer http, ConfigurationFollower follower, ActiveMailSender sender,
            SmtpLogins logins, GetSmtpStatus smtpStatus, ConfigRepository repository) {
        return new MailServiceRuntime(http, follower, sender, logins, smtpStatus, repository,
                settings.http().shutdownGrace());
    }
}
