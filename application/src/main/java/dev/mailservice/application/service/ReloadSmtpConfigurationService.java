package dev.mailservice.application.service;

import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.domain.SmtpConfiguration;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Implements {@link ReloadSmtpConfiguration}: read, validate, build, swap.
 *
 * <p>Reloads hold one lock from the read to the swap, so two of them (an HTTP call and a watch
 * event, say) cannot interleave and the later one applies what it read last. Sends never take
 * this lock. A configuration equal to the active one keeps the active transport: re-reading an
 * unchanged value, as every watch event and resumed connection does, disturbs no send.
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
    public Optional<SmtpConfiguration> reload() {
        return underLock(active -> {
            long activeRevision = active.map(SmtpStatus.Applied::revision).orElse(StoredSmtpConfiguration.UNVERSIONED);
            Optional<StoredSmtpConfiguration> stored = readNewerThan(activeRevision);
            if (stored.isEmpty()) {
                sender.nothingStored(repository.location());
                LOG.log(Level.INFO, "Nothing is stored in {0}{1}", repository.location(),
                        active.isPresent() ? "; the active configuration stays" : "");
                return Optional.empty();
            }
            return Optional.of(swapIn(stored.get(), active));
        });
    }

    /**
     * Applies a configuration that was just stored, as a reload that read it would; a newer
     * revision already active (applied meanwhile through the watch) is kept.
     *
     * @return the configuration now active
     */
    SmtpConfiguration apply(StoredSmtpConfiguration stored) {
        return underLock(active -> active.isPresent() && stored.revision() < active.get().revision()
                ? active.get().configuration()
                : swapIn(stored, active));
    }

    /**
     * Runs {@code work} holding the lock every reload holds, so that no reload or apply comes in
     * between its steps; the lock is re-entrant, so {@code work} may {@link #apply} what it stores.
     */
    <T> T exclusively(Supplier<T> work) {
        reloading.lock();
        try {
            return work.get();
        } finally {
            reloading.unlock();
        }
    }

    /**
     * Runs {@code step} with the active configuration, holding the lock; a failure is recorded as
     * the last reload error and logged, and the active configuration stays.
     */
    private <T> T underLock(Function<Optional<SmtpStatus.Applied>, T> step) {
        return exclusively(() -> {
            try {
                return step.apply(sender.status().active());
            } catch (RuntimeException e) {
                String reason = describe(e);
                sender.recordFailure(new SmtpStatus.ReloadError(clock.instant(), reason));
                LOG.log(Level.WARNING, "Reloading the SMTP configuration failed; the active one stays: {0}", reason);
                throw e;
            }
        });
    }

    /** Makes {@code stored} the active configuration, keeping the transport if it is unchanged. */
    private SmtpConfiguration swapIn(StoredSmtpConfiguration stored, Optional<SmtpStatus.Applied> active) {
        if (active.isPresent() && active.get().configuration().equals(stored.configuration())) {
            sender.confirm(stored.revision());
            return stored.configuration();
        }
        MailTransport transport = transportFactory.create(stored.configuration());
        sender.activate(new SmtpStatus.Applied(stored.configuration(), clock.instant(), repository.sourceName(),
                stored.revision()), transport);
        LOG.log(Level.INFO, "Applied the SMTP configuration from {0}{1}: server {2}, sending as {3}",
                repository.sourceName(),
                stored.revision() == StoredSmtpConfiguration.UNVERSIONED ? "" : " (revision " + stored.revision() + ")",
                stored.configuration().address(), stored.configuration().fromEmail());
        stored.configuration().warnings().forEach(warning -> LOG.log(Level.WARNING, warning));
        return stored.configuration();
    }

    /**
     * Reads the stored configuration, making sure an older revision than the active one never
     * replaces it. Reads are serialised by the lock and the backends read linearisably, so an
     * older revision means a read answered late: it is read once more. If the backend still holds
     * the older revision, its history went back (restored from a backup, say), and what it holds
     * now is the truth.
     */
    private Optional<StoredSmtpConfiguration> readNewerThan(long activeRevision) {
        Optional<StoredSmtpConfiguration> stored = repository.load();
        if (stored.isEmpty() || stored.get().revision() >= activeRevision) {
            return stored;
        }
        Optional<StoredSmtpConfiguration> again = repository.load();
        if (again.isPresent() && again.get().revision() < activeRevision) {
            LOG.log(Level.WARNING, "The revision in {0} went back from {1,number,#} to {2,number,#}; applying what it holds now",
                    repository.location(), activeRevision, again.get().revision());
        }
        return again;
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
