package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigRepository.Subscription;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Calls back when a file may have changed, once per burst of changes.
 *
 * <p>The file's directory is watched, as the file itself cannot be: editors save by writing a
 * new file and renaming it over the old one, and Kubernetes swaps a mounted file by renaming its
 * {@code ..data} symbolic link. So an event counts when it names the file, names an entry
 * starting with {@code ..} (Kubernetes' own), or says events were lost; events of any other file
 * in the directory (a log written beside the configuration, say) are ignored. Counting events
 * come in bursts (a save is several), which become one call once none has come for
 * {@link #QUIET_PERIOD}, so a half-written file is not read.
 *
 * <p>A directory that does not exist yet, is removed, or is replaced by another of the same name
 * (a deployment renaming a new one into place) is looked at every {@link #RETRY_PERIOD} and
 * watched again as it is now; that return is announced, since the file may have changed meanwhile.
 *
 * <p>At the same looks the file itself, through any link, is compared with how it was (its size,
 * time and identity): a change that raises no event here is announced too. Such are a write by
 * another host on a network file system (the kernel's events are of this host's writes only), and
 * an edit of the file a link was pointed to after the watch began.
 */
final class DirectoryWatch implements Subscription {

    private static final System.Logger LOG = System.getLogger(DirectoryWatch.class.getName());
    static final Duration QUIET_PERIOD = Duration.ofMillis(100);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(1);
    static final String THREAD_NAME = "smtp-config-file-watch";

    private final WatchService watchService;
    private final Path directory;
    private final Path fileName;
    private final Runnable onChange;
    /** Watches, or looks for the directory while it is missing; interrupted to stop looking. */
    private volatile Thread thread;

    /**
     * The directory as it was when it was registered: its key, what identifies it on disk, and the
     * file's stamp then. Taken before anyone reads the file on its word (the first read after start,
     * or the one after the directory came back), so that a change without an event after that read
     * differs from it.
     */
    private record Registration(WatchKey key, Object identity, Optional<FileStamp> file) {}

    /** What tells one content of the file from another without reading it; the file's identity on disk too. */
    private record FileStamp(long size, FileTime modified, Object identity) {}

    private DirectoryWatch(WatchService watchService, Path file, Runnable onChange) {
        this.watchService = watchService;
        this.directory = file.getParent();
        this.fileName = file.getFileName();
        this.onChange = onChange;
    }

    /**
     * Starts watching {@code file}: when this returns, a change of the file is announced, unless
     * its directory does not exist yet. When the directory cannot be watched at all, says so and
     * watches nothing.
     */
    static Subscription start(Path file, Runnable onChange) {
        WatchService watchService = null;
        try {
            watchService = FileSystems.getDefault().newWatchService();
            DirectoryWatch watch = new DirectoryWatch(watchService, file, onChange);
            Optional<Registration> registration = watch.register();
            watch.thread = Thread.ofPlatform().name(THREAD_NAME).daemon(true).start(() -> watch.run(registration));
            return watch;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot watch {0} for changes ({1}); changes apply on an HTTP reload only",
                    file.getParent(), e.toString());
            closeQuietly(watchService);
            return Subscription.NONE;
        }
    }

    /** @return empty when the directory does not exist */
    private Optional<Registration> register() throws IOException {
        try {
            Object identity = identity().orElseThrow(() -> new NoSuchFileException(directory.toString()));
            WatchKey key = directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            return Optional.of(new Registration(key, identity, fileStamp()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** What tells this directory from another put in its place (device and inode on Linux); empty when there is none. */
    private Optional<Object> identity() throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(directory, BasicFileAttributes.class);
            return Optional.of(Objects.requireNonNullElse(attributes.fileKey(), directory));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private void run(Optional<Registration> initially) {
        try {
            Optional<Registration> registration = initially;
            while (true) {
                if (registration.isEmpty()) {
                    registration = Optional.of(awaitDirectory());
                    onChange.run();
                }
                follow(registration.get());
                registration.get().key().cancel();
                registration = Optional.empty();
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            // closed: the watch is over
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot watch {0} for changes any more ({1}); changes apply on an HTTP reload only",
                    directory, e.toString());
        }
    }

    private Registration awaitDirectory() throws IOException, InterruptedException {
        Optional<Registration> registration = register();
        if (registration.isPresent()) {
            return registration.get(); // replaced at once
        }
        LOG.log(Level.WARNING, "{0} does not exist; looking for it every {1} s", directory, RETRY_PERIOD.toSeconds());
        do {
            Thread.sleep(RETRY_PERIOD);
            registration = register();
        } while (registration.isEmpty());
        LOG.log(Level.INFO, "Watching {0} for changes", directory);
        return registration.get();
    }

    /** The file's stamp now, through any link; empty when there is no file to read. */
    private Optional<FileStamp> fileStamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(directory.resolve(fileName), BasicFileAttributes.class);
            return Optional.of(new FileStamp(attributes.size(), attributes.lastModifiedTime(),
                    Objects.requireNonNullElse(attributes.fileKey(), "")));
        } catch (IOException none) {
            return Optional.empty();
        }
    }

    /** Announces the bursts of changes of the file until the directory is gone or replaced. */
    private void follow(Registration registration) throws IOException, InterruptedException {
        long nextLook = System.nanoTime() + RETRY_PERIOD.toNanos();
        Optional<FileStamp> seen = registration.file();
        while (true) {
            WatchKey key = watchService.poll(Math.max(0, nextLook - System.nanoTime()), TimeUnit.NANOSECONDS);
            Burst burst = new Burst();
            if (key != null && key.equals(registration.key())) {
                burst.drain(key); // a key of a directory watched before holds only what is left of it
            }
            boolean changedWithoutEvent = false;
            if (System.nanoTime() - nextLook >= 0) {
                // A directory renamed into place sends no event here: look whether this is still the one at the path.
                if (!identity().equals(Optional.of(registration.identity()))) {
                    return;
                }
                // Unless events of the file came: those are their burst's to announce.
                changedWithoutEvent = !burst.concernsTheFile && !fileStamp().equals(seen);
                nextLook = System.nanoTime() + RETRY_PERIOD.toNanos();
            }
            if (burst.concernsTheFile || changedWithoutEvent) {
                awaitQuiet(burst);
                seen = fileStamp();
                onChange.run();
            }
            if (burst.directoryGone) {
                return;
            }
        }
    }

    /**
     * Waits until the file has been quiet for {@link #QUIET_PERIOD}: no event of it, and its stamp
     * unchanged (a write without events, over a network file system, may still be under way). Only
     * the file's own changes keep the wait open: a busy neighbour must not delay it.
     */
    private void awaitQuiet(Burst burst) throws InterruptedException {
        long quietUntil = System.nanoTime() + QUIET_PERIOD.toNanos();
        Optional<FileStamp> last = fileStamp();
        long left;
        while (!burst.directoryGone && (left = quietUntil - System.nanoTime()) > 0) {
            WatchKey more = watchService.poll(left, TimeUnit.NANOSECONDS);
            if (more != null && burst.drain(more)) {
                quietUntil = System.nanoTime() + QUIET_PERIOD.toNanos();
            } else {
                Optional<FileStamp> now = fileStamp();
                if (!now.equals(last)) {
                    last = now;
                    quietUntil = System.nanoTime() + QUIET_PERIOD.toNanos();
                }
            }
        }
    }

    /** What the events of one burst said. */
    private final class Burst {
        boolean concernsTheFile;
        boolean directoryGone;

        /** Takes the key's events; says whether any of them concerns the file. */
        boolean drain(WatchKey key) {
            boolean concerns = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                concerns |= event.kind() == StandardWatchEventKinds.OVERFLOW
                        || event.context() instanceof Path name
                                && (name.equals(fileName) || name.toString().startsWith(".."));
            }
            concernsTheFile |= concerns;
            directoryGone |= !key.reset();
            return concerns;
        }
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Closing the file watch failed: {0}", e.toString());
        }
        // Looking for a missing directory touches no watch service: only an interrupt ends it.
        thread.interrupt();
    }

    private static void closeQuietly(WatchService watchService) {
        if (watchService == null) {
            return;
        }
        try {
            watchService.close();
        } catch (IOException e) {
            // It never watched anything; nothing to tell.
        }
    }
}
