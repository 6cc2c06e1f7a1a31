package dev.mailservice.application.service;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.InvalidInputException;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Implements {@link SaveSmtpConfiguration}: resolve the fields to keep against what is stored,
 * validate, store over the revision read, then apply what was stored through the {@link
 * ConfigurationApplier}.
 *
 * <p>The whole step holds the applier's lock, so no reload or save of this instance comes in
 * between: otherwise two saves could be applied in the other order than they were stored (a file
 * has no revision to tell), and a kept value could bring back one another save had just replaced.
 * Across replicas the write is made only over the revision read (etcd's revisions tell), so a save
 * on another replica in between makes this one a conflict rather than being undone by it.
 */
public final class SaveSmtpConfigurationService implements SaveSmtpConfiguration {

    private final ConfigRepository repository;
    private final ConfigurationApplier applier;

    public SaveSmtpConfigurationService(ConfigRepository repository, ConfigurationApplier applier) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.applier = Objects.requireNonNull(applier, "applier");
    }

    @Override
    public SmtpConfiguration save(SmtpConfigurationChange change) {
        return applier.exclusively(active -> {
            boolean keepsAny = change.host() instanceof Field.Keep || change.username() instanceof Field.Keep
                    || change.password() instanceof Field.Keep || change.fromEmail() instanceof Field.Keep;
            // Only a change that keeps values needs them; any other reads the revision alone, so
            // that a stored value that cannot be read can still be replaced.
            Optional<StoredSmtpConfiguration> stored = keepsAny ? repository.load() : Optional.empty();
            long readRevision = stored.isPresent() ? stored.get().revision() : repository.currentRevision();
            SmtpConfiguration configuration = resolve(change, stored.map(StoredSmtpConfiguration::configuration));
            long revision = repository.save(configuration, change.otherFields(), readRevision);
            return applier.applyWritten(new StoredSmtpConfiguration(configuration, revision, change.otherFields()),
                    repository.sourceName(), active);
        });
    }

    /**
     * The configuration {@code change} makes of {@code stored}. The stored password is kept only
     * while host and username stay the same; the port may change.
     */
    private static SmtpConfiguration resolve(SmtpConfigurationChange change, Optional<SmtpConfiguration> stored) {
        try {
            String host = value(change.host(), SmtpConfiguration.HOST, stored, current -> Optional.of(current.host()));
            String username = value(change.username(), SmtpConfiguration.USERNAME, stored, SmtpConfiguration::username);
            String password = value(change.password(), SmtpConfiguration.PASSWORD, stored,
                    current -> current.password().map(Password::reveal));
            String fromEmail = value(change.fromEmail(), SmtpConfiguration.FROM_EMAIL, stored,
                    current -> Optional.of(current.fromEmail().value()));
            SmtpConfiguration configuration = SmtpConfiguration.of(host, change.port(), username, password, fromEmail,
                    change.secure());
            if (change.password() instanceof Field.Keep && !sameServerAndUser(configuration, stored.orElseThrow())) {
                throw new InvalidInput(SmtpConfiguration.PASSWORD, "password must be given again: the stored password "
                        + "is kept only while host and username stay the same");
            }
            return configuration;
        } catch (InvalidInputException refusal) {
            throw InvalidInput.of(refusal);
        }
    }

    private static String value(Field field, String name, Optional<SmtpConfiguration> stored,
            Function<SmtpConfiguration, Optional<String>> storedValue) {
        return switch (field) {
            case Field.Given given -> given.value().orElse(null);
            case Field.Keep keep -> stored.flatMap(storedValue).orElseThrow(() -> new InvalidInput(name,
                    name + " is to be kept as stored, but no " + name + " is stored"));
        };
    }

    private static boolean sameServerAndUser(SmtpConfiguration next, SmtpConfiguration stored) {
        return next.host().equals(stored.host()) && next.username().equals(stored.username());
    }
}
