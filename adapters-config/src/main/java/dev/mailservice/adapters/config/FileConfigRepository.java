package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigBackendUnavailableException;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.StoredSmtpConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ConfigRepository} on one JSON file holding the contract's configuration object.
 * A missing file means nothing is stored; a file that cannot be read (permissions, a
 * directory in its place) means the backend is unavailable. Files have no revisions.
 */
public final class FileConfigRepository implements ConfigRepository {

    private final Path file;

    public FileConfigRepository(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
    }

    @Override
    public Optional<StoredSmtpConfiguration> load() {
        byte[] document;
        try {
            document = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ConfigBackendUnavailableException(
                    "Cannot read the SMTP configuration " + location() + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() != null ? " " + e.getMessage() : ""), e);
        }
        return Optional.of(new StoredSmtpConfiguration(
                ConfigurationDocument.parse(document, location()), StoredSmtpConfiguration.UNVERSIONED));
    }

    @Override
    public Subscription watch(ChangeListener listener) {
        return DirectoryWatch.start(file.getParent(), listener::storedConfigurationMayHaveChanged);
    }

    @Override
    public String sourceName() {
        return "file";
    }

    @Override
    public String location() {
        return "file " + file;
    }
}
