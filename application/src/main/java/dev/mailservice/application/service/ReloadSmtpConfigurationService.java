package dev.mailservice.application.service;

import dev.mailservice.application.port.in.NoSmtpConfigurationStoredException;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.domain.SmtpConfiguration;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Implements {@link ReloadSmtpConfiguration}: read, validate, build, swap.
 *
 * <p>Reloads hold one lock from the read to the swap, so two of them cannot interleave and the
 * later one always applies what it read last. Sends never take this lock.
 */
public final class ReloadSmtpConfigurationService implements ReloadSmtpConfiguration {

    private static final System.Logger LOG = System.getLogger(ReloadSmtpConfigurationService.class.getName());

    private final ConfigRepository repository;
    private final MailTransportFactory transportFactory;
    private final ActiveMailSender sender;
    private final Clock clock;
    private final ReentrantLock reloading = new ReentrantLock();

    public ReloadSmtpConfigurationService(
            ConfigRepository repository, MailTransportFactory transportFactory, ActiveMailSender sender, Clock clock) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.transportFactory = Objects.requireNonNull(transportFactory, "transportFactory");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public SmtpConfiguration reload() {
        reloading.lock();
        try {
            SmtpConfiguration configuration = repository.load()
                    .orElseThrow(() -> new NoSmtpConfigurationStoredException(
                            "No SMTP configuration is stored (" + repository.location() + ")"));
            MailTransport transport = transportFactory.create(configuration);
            sender.activate(new SmtpStatus.Applied(configuration, clock.instant(), repository.sourceName()), transport);
            LOG.log(Level.INFO, "Applied the SMTP configuration from {0}: server {1}, sending as {2}",
                    repository.sourceName(), configuration.address(), configuration.fromEmail());
            return configuration;
        } catch (RuntimeException e) {
            String reason = describe(e);
            sender.recordFailure(new SmtpStatus.ReloadError(clock.instant(), reason));
            LOG.log(Level.WARNING, "Reloading the SMTP configuration failed; the active one stays: {0}", reason);
            throw e;
        } finally {
            reloading.unlock();
        }
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
