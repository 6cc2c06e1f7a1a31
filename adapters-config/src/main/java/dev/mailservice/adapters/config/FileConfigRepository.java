package dev.mailservice.adapters.config;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link ConfigRepository} on one JSON file holding the contract's configuration object.
 * A missing file means nothing is stored; a file that cannot be read (permissions, a
 * directory in its place) means the backend is unavailable. Files have no revisions. A saved
 * file is readable by its owner only (mode 0600): it holds the SMTP password.
 *
 * <p>A save writes a temporary file beside the target and renames it over the target. When the
 * configured path is a symbolic link, the file it points to is replaced and the link stays. A
 * temporary file left by a process killed in the middle of a save holds the password: such
 * leftovers are removed when the repository is opened. (A replica opening it while another saves
 * to the same file may remove that save's temporary file; that save then fails and says so.)
 */
public final class FileConfigRepository implements ConfigRepository {

    private static final System.Logger LOG = System.getLogger(FileConfigRepository.class.getName());
    private static final String TEMPORARY_SUFFIX = ".tmp";
    /**
     * A local file has no timeout of its own and answers in milliseconds; a call still under way
     * after this long has a file system that is in trouble.
     */
    private static final Duration LONGEST_CALL = Duration.ofSeconds(1);

    private final Path file;
    private final int maxBytes;

    /** @param maxBytes the longest file {@link #load} reads; a longer one is an invalid configuration */
    public FileConfigRepository(Path file, int maxBytes) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
        this.maxBytes = maxBytes;
        removeLeftoverTemporaryFiles();
    }

    /**
     * Reads no more than one byte past the limit, so that a long file is refused without being read
     * whole. Anything but a regular file is refused unopened: opening a named pipe waits for a
     * writer, for ever, holding every other reload and save.
     */
    @Override
    public Optional<StoredSmtpConfiguration> load() {
        byte[] document;
        try {
            if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
                throw new BackendUnavailable("Cannot read the SMTP configuration " + location()
                        + ": it is not a regular file", null);
            }
            try (InputStream in = Files.newInputStream(file)) {
                document = in.readNBytes(maxBytes + 1);
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BackendUnavailable(
                    "Cannot read the SMTP configuration " + location() + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() != null ? " " + e.getMessage() : ""), e);
        }
        if (document.length > maxBytes) {
            throw ConfigurationDocument.unusable(location(), PipesHubStore.UnusableValueException.tooLong(maxBytes));
        }
        return Optional.of(ConfigurationDocument.parse(document, location(), StoredSmtpConfiguration.UNVERSIONED));
    }

    /** A file has no revisions. */
    @Override
    public long currentRevision() {
        return StoredSmtpConfiguration.UNVERSIONED;
    }

    /**
     * Writes a temporary file beside the target, readable by its owner only, then renames it over
     * the target. {@code expectedRevision} is ignored: a file has no revisions, and saves of this
     * process are ordered by the caller.
     */
    @Override
    public long save(SmtpConfiguration configuration, OpaqueFields otherFields, long expectedRevision) {
        byte[] document = ConfigurationDocument.format(configuration, otherFields);
        ConfigurationDocument.checkStorable(document.length, maxBytes, location());
        Path temporary = null;
        try {
            Path target = followLinks(file);
            Path directory = target.getParent();
            Files.createDirectories(directory);
            temporary = Files.createTempFile(directory, temporaryPrefix(target), TEMPORARY_SUFFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                // A write to a file may take part of the bytes (a full disk, a quota or a size limit
                // reached); the next one then fails and says why, rather than a short file taking the
                // place of the whole one.
                for (ByteBuffer rest = ByteBuffer.wrap(document); rest.hasRemaining(); ) {
                    channel.write(rest);
                }
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(directory);
            return StoredSmtpConfiguration.UNVERSIONED;
        } catch (IOException e) {
            throw new BackendUnavailable(
                    "Cannot write the SMTP configuration " + location() + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() != null ? " " + e.getMessage() : ""), e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    /**
     * Watches the file's directory, and, when the file is a link into another directory, the
     * directory of its target as the link points when the watch starts: a change there (an edit, a
     * save by another replica) raises no event beside the link. A link pointed elsewhere since is
     * followed by each watch's look at the file ({@link DirectoryWatch}).
     */
    @Override
    public Subscription watch(ChangeListener listener) {
        Subscription atTheLink = DirectoryWatch.start(file, listener::storedConfigurationMayHaveChanged);
        Path target;
        try {
            target = followLinks(file);
        } catch (IOException unreadableLink) {
            return atTheLink; // a read says what is wrong with the link
        }
        if (target.equals(file) || sameDirectory(target.getParent(), file.getParent())) {
            return atTheLink;
        }
        Subscription atTheTarget = DirectoryWatch.start(target, listener::storedConfigurationMayHaveChanged);
        return () -> {
            atTheLink.close();
            atTheTarget.close();
        };
    }

    @Override
    public Duration longestCall() {
        return LONGEST_CALL;
    }

    @Override
    public String backendName() {
        return "file";
    }

    @Override
    public String location() {
        return "file " + file;
    }

    /** Whether two paths name one directory, however they are written; as written when one is missing. */
    private static boolean sameDirectory(Path one, Path other) {
        try {
            return Files.isSameFile(one, other);
        } catch (IOException missing) {
            return Objects.equals(one, other);
        }
    }

    /**
     * Makes the rename durable: until the directory is written to disk, a power loss can bring the
     * old file back. The file is in place whatever happens here, so a failure is not the save's:
     * some file systems cannot sync a directory, and the rename is then as durable as they make it.
     */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException notSupported) {
            // Saved; only its durability across a power loss is as the file system makes it.
        }
    }

    /** The file a path names once every symbolic link on the way is followed; the path itself when it is none. */
    private static Path followLinks(Path path) throws IOException {
        Path target = path;
        for (int hops = 0; Files.isSymbolicLink(target); hops++) {
            if (hops == 40) {
                throw new IOException("too many levels of symbolic links at " + path);
            }
            // Not normalised: ".." after a directory that is itself a link is for the file system to resolve.
            target = target.getParent().resolve(Files.readSymbolicLink(target));
        }
        return target;
    }

    /** Temporary files of a save start with a dot and the target's name, so that they sort beside it and stay hidden. */
    private static String temporaryPrefix(Path target) {
        return "." + target.getFileName();
    }

    /**
     * Removes the temporary files a save killed midway left beside the file (the configured one
     * and, through a link, its target); a failure to remove one is logged, not fatal.
     */
    private void removeLeftoverTemporaryFiles() {
        Set<Path> targets = new LinkedHashSet<>();
        targets.add(file);
        try {
            targets.add(followLinks(file));
        } catch (IOException e) {
            // A link that cannot be followed: only the configured path's directory is cleaned.
        }
        for (Path target : targets) {
            // Files.createTempFile puts random digits between the prefix and the suffix.
            Pattern leftover = Pattern.compile(Pattern.quote(temporaryPrefix(target)) + "[0-9]+"
                    + Pattern.quote(TEMPORARY_SUFFIX));
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(target.getParent(),
                    entry -> leftover.matcher(entry.getFileName().toString()).matches())) {
                for (Path temporary : leftovers) {
                    Files.deleteIfExists(temporary);
                    LOG.log(System.Logger.Level.INFO, "Removed {0}, left by a save that did not finish", temporary);
                }
            } catch (NoSuchFileException | NotDirectoryException e) {
                // No directory yet: nothing was left in it.
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "Cannot remove what an unfinished save left beside {0}: {1}",
                        target, e.toString());
            }
        }
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
