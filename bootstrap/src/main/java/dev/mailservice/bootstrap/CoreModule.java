package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.application.port.in.GetRecentSends;
import dev.mailservice.application.port.in.GetServiceHealth;
import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SendMail;
import dev.mailservice.application.port.in.VerifySmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.CurrentRequest;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.application.service.ActiveMailSender;
import dev.mailservice.application.service.BackendTurns;
import dev.mailservice.application.service.ConfigurationFollower;
import dev.mailservice.application.service.GetServiceHealthService;
import dev.mailservice.application.service.GetSmtpStatusService;
import dev.mailservice.application.service.GetStoredSmtpConfigurationService;
import dev.mailservice.application.service.RecentSends;
import dev.mailservice.application.service.ReloadSmtpConfigurationService;
import dev.mailservice.application.service.SaveSmtpConfigurationService;
import dev.mailservice.application.service.SendMailService;
import dev.mailservice.application.service.SmtpLogins;
import dev.mailservice.application.service.SmtpStatusBoard;
import dev.mailservice.application.service.SmtpVerifier;
import dev.mailservice.application.service.VerifySmtpConfigurationService;
import dev.mailservice.domain.Backoff;
import dev.mailservice.domain.VersionKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The use cases, over whichever out-port adapters the other modules provide. */
final class CoreModule extends AbstractModule {

    /** While the backend is unreachable: try again after 1 s, 2 s, 4 s ... then every 30 s. */
    static final Backoff RETRY_DELAYS = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    private final Settings settings;

    CoreModule(Settings settings) {
        this.settings = settings;
    }

    @Provides
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Provides
    @Singleton
    ActiveMailSender activeMailSender(SmtpStatusBoard board) {
        return new ActiveMailSender(board);
    }

    @Provides
    @Singleton
    SmtpStatusBoard smtpStatusBoard(Clock clock) {
        return new SmtpStatusBoard(clock);
    }

    /** One per backend: the reloads and saves of this replica take turns at it. */
    @Provides
    @Singleton
    BackendTurns backendTurns(ConfigRepository repository) {
        return new BackendTurns(repository);
    }

    /** Per step {@code SMTP_TIMEOUT_MS}; the whole run twice that, since the first step to time out ends it. */
    @Provides
    @Singleton
    SmtpVerifier smtpVerifier(SmtpProbe probe, TokenEndpoint tokens, SmtpLogins logins, SmtpStatusBoard board,
            ServiceMetrics metrics) {
        return new SmtpVerifier(probe, tokens, logins, settings.mail().smtp().timeout().multipliedBy(2), board, metrics);
    }

    /**
     * Token requests ahead of expiry run on a thread of their own, asleep in between; at shut-down a
     * renewal far ahead is dropped, and a new refresh token waiting to be stored is stored.
     */
    @Provides
    @Singleton
    SmtpLogins smtpLogins(TokenEndpoint tokens, BackendTurns turns, Clock clock, ServiceMetrics metrics) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("oauth2-tokens").daemon(true).factory());
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return new SmtpLogins(tokens, turns, clock, scheduler, metrics);
    }

    @Provides
    @Singleton
    VerifySmtpConfiguration verifySmtpConfiguration(ConfigRepository repository, SmtpVerifier verifier,
            MailRenderer renderer, ServiceMetrics metrics) {
        return new VerifySmtpConfigurationService(repository, verifier, renderer, metrics);
    }

    @Provides
    @Singleton
    ReloadSmtpConfiguration reloadSmtpConfiguration(ConfigRepository repository, BackendTurns turns,
            MailTransportFactory transports, SmtpLogins logins, ActiveMailSender sender, SmtpStatusBoard board,
            ServiceMetrics metrics, SmtpVerifier verifier, Clock clock) {
        return new ReloadSmtpConfigurationService(repository, turns, transports, logins, sender, board, metrics,
                Optional.of(verifier).filter(on -> settings.mail().verifyOnApply()), clock);
    }

    /** A save applies what it stores on this replica: with verification on apply it verifies too. */
    @Provides
    @Singleton
    SaveSmtpConfiguration saveSmtpConfiguration(ConfigRepository repository, BackendTurns turns,
            MailTransportFactory transports, SmtpLogins logins, ActiveMailSender sender, SmtpStatusBoard board,
            SmtpVerifier verifier, VersionKey versionKey) {
        return new SaveSmtpConfigurationService(repository, turns, transports, logins, sender, board,
                Optional.of(verifier).filter(on -> settings.mail().verifyOnSave() || settings.mail().verifyOnApply()),
                versionKey);
    }

    @Provides
    @Singleton
    GetStoredSmtpConfiguration getStoredSmtpConfiguration(ConfigRepository repository, VersionKey versionKey) {
        return new GetStoredSmtpConfigurationService(repository, versionKey);
    }

    /**
     * The stored configuration's versions are keyed with the user tokens' secret: every replica
     * holds it (from the environment or the store), and whoever reads a version does not. A new
     * secret changes every version, so a save over one read before it is a conflict, read again.
     */
    @Provides
    @Singleton
    VersionKey versionKey(TokenSecrets secrets) {
        return VersionKey.derivedFrom(secrets.jwtSecret());
    }

    @Provides
    @Singleton
    SendMail sendEmail(MailRenderer renderer, ActiveMailSender sender, ServiceMetrics metrics, RecentSends recent,
            CurrentRequest currentRequest, Clock clock) {
        return new SendMailService(renderer, sender, settings.mail().maxRecipients(), metrics, recent, currentRequest,
                clock);
    }

    /** {@code MAIL_RECENT_SENDS} of this replica's sends, kept in memory for the console and its route. */
    @Provides
    @Singleton
    RecentSends recentSends() {
        return new RecentSends(settings.mail().recentSends());
    }

    @Provides
    @Singleton
    GetRecentSends getRecentSends(RecentSends recent) {
        return recent;
    }

    @Provides
    @Singleton
    GetSmtpStatus getSmtpStatus(SmtpStatusBoard board) {
        return new GetSmtpStatusService(board);
    }

    @Provides
    @Singleton
    GetServiceHealth getServiceHealth(SmtpStatusBoard board) {
        return new GetServiceHealthService(board);
    }

    @Provides
    @Singleton
    ConfigurationFollower configurationFollower(ConfigRepository repository, ReloadSmtpConfiguration reload,
            ServiceMetrics metrics) {
        return new ConfigurationFollower(repository, reload, settings.backend().watch(), RETRY_DELAYS, metrics);
    }
}
