package dev.mailservice.bootstrap;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.application.port.in.GetServiceHealth;
import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SendEmail;
import dev.mailservice.application.port.in.VerifySmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.application.service.ActiveMailSender;
import dev.mailservice.application.service.BackendContacts;
import dev.mailservice.application.service.ConfigurationApplier;
import dev.mailservice.application.service.ConfigurationFollower;
import dev.mailservice.application.service.GetServiceHealthService;
import dev.mailservice.application.service.GetSmtpStatusService;
import dev.mailservice.application.service.GetStoredSmtpConfigurationService;
import dev.mailservice.application.service.ReloadSmtpConfigurationService;
import dev.mailservice.application.service.SaveSmtpConfigurationService;
import dev.mailservice.application.service.SendEmailService;
import dev.mailservice.application.service.SmtpVerifier;
import dev.mailservice.application.service.VerifySmtpConfigurationService;
import dev.mailservice.domain.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

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
    ActiveMailSender activeMailSender() {
        return new ActiveMailSender();
    }

    @Provides
    @Singleton
    BackendContacts backendContacts() {
        return new BackendContacts();
    }

    /** Per step {@code SMTP_TIMEOUT_MS}; the whole run twice that, since the first step to time out ends it. */
    @Provides
    @Singleton
    SmtpVerifier smtpVerifier(SmtpProbe probe, ActiveMailSender sender, ServiceMetrics metrics, Clock clock) {
        return new SmtpVerifier(probe, settings.mail().smtp().timeout().multipliedBy(2), sender, metrics, clock);
    }

    @Provides
    @Singleton
    ConfigurationApplier configurationApplier(MailTransportFactory transports, ActiveMailSender sender, Clock clock,
            ServiceMetrics metrics, BackendContacts contacts, SmtpVerifier verifier) {
        return new ConfigurationApplier(transports, sender, clock, metrics, contacts,
                Optional.of(verifier).filter(on -> settings.mail().verifyOnApply()));
    }

    @Provides
    @Singleton
    VerifySmtpConfiguration verifySmtpConfiguration(ConfigRepository repository, SmtpVerifier verifier,
            ServiceMetrics metrics) {
        return new VerifySmtpConfigurationService(repository, verifier, metrics);
    }

    @Provides
    @Singleton
    ReloadSmtpConfiguration reloadSmtpConfiguration(ConfigRepository repository, ConfigurationApplier applier) {
        return new ReloadSmtpConfigurationService(repository, applier);
    }

    /** A save applies what it stores on this replica: with verification on apply it verifies too. */
    @Provides
    @Singleton
    SaveSmtpConfiguration saveSmtpConfiguration(ConfigRepository repository, ConfigurationApplier applier,
            SmtpVerifier verifier) {
        return new SaveSmtpConfigurationService(repository, applier,
                Optional.of(verifier).filter(on -> settings.mail().verifyOnSave() || settings.mail().verifyOnApply()));
    }

    @Provides
    @Singleton
    GetStoredSmtpConfiguration getStoredSmtpConfiguration(ConfigRepository repository) {
        return new GetStoredSmtpConfigurationService(repository);
    }

    @Provides
    @Singleton
    SendEmail sendEmail(MailRenderer renderer, ActiveMailSender sender, ServiceMetrics metrics) {
        return new SendEmailService(renderer, sender, settings.mail().maxRecipients(), metrics);
    }

    @Provides
    @Singleton
    GetSmtpStatus getSmtpStatus(ActiveMailSender sender) {
        return new GetSmtpStatusService(sender);
    }

    @Provides
    @Singleton
    GetServiceHealth getServiceHealth(ActiveMailSender sender, BackendContacts contacts) {
        return new GetServiceHealthService(sender, contacts);
    }

    @Provides
    @Singleton
    ConfigurationFollower configurationFollower(ConfigRepository repository, ReloadSmtpConfiguration reload,
            ServiceMetrics metrics) {
        return new ConfigurationFollower(repository, reload, settings.backend().watch(), RETRY_DELAYS, metrics);
    }
}
