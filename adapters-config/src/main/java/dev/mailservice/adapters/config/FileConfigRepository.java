package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigBackendUnavailableException;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.StoredSmtpConfiguration;
import dev.mailservice.domain.SmtpConfiguration;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ConfigRepository} on one JSON file holding the contract's configuration object.
 * A missing file means nothing is stored; a file that cannot be read (permissions, a
 * directory in its place) means the backend is unavailable. Files have no revisions. A saved
 * file is readable by its owner only (mode 0600): it holds the SMTP password.
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

    /** Writes a temporary file beside the target, readable by its owner only, then renames it over the target. */
    @Override
    public long save(SmtpConfiguration configuration) {
        Path directory = file.getParent();
        Path temporary = null;
        try {
            Files.createDirectories(directory);
            temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(ConfigurationDocument.format(configuration)));
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return StoredSmtpConfiguration.UNVERSIONED;
        } catch (IOException e) {
            throw new ConfigBackendUnavailableException(
                    "Cannot write the SMTP configuration " + location() + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() != null ? " " + e.getMessage() : ""), e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    @Override
    public Subscription watch(ChangeListener listener) {
        return DirectoryWatch.start(file, listener::storedConfigurationMayHaveChanged);
    }

    @Override
    public String sourceName() {
        return "file";
    }

    @Override
    public String location() {
        return "file " + file;
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary == null) {
            return;
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            // Only a leftover ".smtp.json...tmp" beside the file; nothing to tell the caller.
        }
    }
}
