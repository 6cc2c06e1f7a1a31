package dev.mailservice.application.service;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.ServiceMetrics.VerificationTrigger;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.Objects;
import java.util.Optional;

/**
 * Implements {@link SaveSmtpConfiguration}: resolve the fields to keep against what is stored,
 * validate, verify against the server when asked to, store over the revision read, then apply
 * what was stored through the {@link ConfigurationApplier}.
 *
 * <p>Resolving, storing and applying hold the applier's lock, so no reload or save of this
 * instance comes in between: otherwise two saves could be applied in the other order than they
 * were stored (a file has no revision to tell), and a kept value could bring back one another save
 * had just replaced. Across replicas the write is made only over the revision read (etcd's
 * revisions tell), so a save on another replica in between makes this one a conflict rather than
 * being undone by it.
 *
 * <p>Verification talks to the SMTP server for seconds, so it runs before the lock is taken; under
 * the lock the change is resolved again, and if that gives another configuration or revision than
 * the one verified, the save is a conflict and stores nothing.
 */
public final class SaveSmtpConfigurationService implements SaveSmtpConfiguration {

    private final ConfigRepository repository;
    private final ConfigurationApplier applier;
    private final Optional<SmtpVerifier> verifyBeforeSaving;

    /**
     * @param verifyBeforeSaving when present, a configuration that does not pass it through AUTH is
     *                           refused, and nothing is stored
     */
    public SaveSmtpConfigurationService(ConfigRepository repository, ConfigurationApplier applier,
            Optional<SmtpVerifier> verifyBeforeSaving) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.applier = Objects.requireNonNull(applier, "applier");
        this.verifyBeforeSaving = Objects.requireNonNull(verifyBeforeSaving, "verifyBeforeSaving");
    }

    @Override
    public SmtpConfiguration save(SmtpConfigurationChange change) {
        Optional<Resolved> verified = verifyBeforeSaving.map(verifier -> passing(verifier, resolve(change)));
        return applier.exclusively(repository, active -> {
            Resolved resolved = resolve(change);
            if (verified.isPresent() && !verified.get().equals(resolved)) {
                throw new WriteConflict("The stored SMTP configuration changed while this one was being verified; "
                        + "nothing was stored");
            }
            long revision = repository.save(resolved.configuration(), change.otherFields(), resolved.readRevision());
            return applier.applyWritten(new StoredSmtpConfiguration(resolved.configuration(), revision,
                    change.otherFields()), repository.sourceName(), active);
        });
    }

    /** {@code resolved}, once it passed {@code verifier}; refused otherwise. */
    private static Resolved passing(SmtpVerifier verifier, Resolved resolved) {
        SmtpVerification report = verifier.verify(resolved.configuration(), Optional.empty(), VerificationTrigger.SAVE);
        if (!report.ok()) {
            throw new InvalidInput(null, report.failure());
        }
        return resolved;
    }

    /** The configuration {@code change} makes of what is stored now, and the revision read. */
    private Resolved resolve(SmtpConfigurationChange change) {
        // Only a change that keeps values needs them; any other reads the revision alone, so
        // that a stored value that cannot be read can still be replaced.
        Optional<StoredSmtpConfiguration> stored = ChangeResolver.keepsAny(change) ? repository.load() : Optional.empty();
        long readRevision = stored.isPresent() ? stored.get().revision() : repository.currentRevision();
        return new Resolved(ChangeResolver.resolve(change, stored.map(StoredSmtpConfiguration::configuration)),
                readRevision);
    }

    private record Resolved(SmtpConfiguration configuration, long readRevision) {}
}
