package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigRepository.Subscription;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Calls back when a file may have changed, once per burst of changes.
 *
 * <p>The file's directory is watched, as the file itself cannot be: editors save by writing a
 * new file and renaming it over the old one, and Kubernetes swaps a mounted file by renaming its
 * {@code ..data} symbolic link. So a burst counts when one of its events names the file, names an
 * entry starting with {@code ..} (Kubernetes' own), or says events were lost; changes to any
 * other file in the directory (a log written beside the configuration, say) are not announced.
 * A burst (a save is several events) becomes one call once the directory has been quiet for
 * {@link #QUIET_PERIOD}, so a half-written file is not read.
 *
 * <p>A directory that does not exist yet, or that is removed (a deployment replacing it), is
 * looked for every {@link #RETRY_PERIOD} and watched again once it is back; that return is
 * announced, since the file may have changed meanwhile.
 */
final class DirectoryWatch implements Subscription {

    private static final System.Logger LOG = System.getLogger(DirectoryWatch.class.getName());
    static final Duration QUIET_PERIOD = Duration.ofMillis(100);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(1);

    private final WatchService watchService;
    private final Path directory;
    private final Path fileName;
    private final Runnable onChange;

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
        try {
            DirectoryWatch watch = new DirectoryWatch(FileSystems.getDefault().newWatchService(), file, onChange);
            boolean watching = watch.register();
            Thread.ofPlatform().name("smtp-config-file-watch").daemon(true).start(() -> watch.run(watching));
            return watch;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot watch {0} for changes ({1}); changes apply on an HTTP reload only",
                    file.getParent(), e.toString());
            return Subscription.NONE;
        }
    }

    /** @return false when the directory does not exist */
    private boolean register() throws IOException {
        try {
            directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private void run(boolean watching) {
        try {
            while (true) {
                if (!watching) {
                    awaitDirectory();
                    onChange.run();
                }
                followUntilTheDirectoryGoes();
                watching = false;
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            // closed: the watch is over
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot watch {0} for changes any more ({1}); changes apply on an HTTP reload only",
                    directory, e.toString());
        }
    }

    private void awaitDirectory() throws IOException, InterruptedException {
        if (register()) {
            return; // replaced at once
        }
        LOG.log(Level.WARNING, "{0} does not exist; looking for it every {1} s", directory, RETRY_PERIOD.toSeconds());
        do {
            Thread.sleep(RETRY_PERIOD);
        } while (!register());
        LOG.log(Level.INFO, "Watching {0} for changes", directory);
    }

    private void followUntilTheDirectoryGoes() throws InterruptedException {
        while (true) {
            Burst burst = new Burst();
            burst.drain(watchService.take());
            WatchKey more;
            while ((more = watchService.poll(QUIET_PERIOD.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                burst.drain(more);
            }
            if (burst.concernsTheFile) {
                onChange.run();
            }
            if (burst.directoryGone) {
                return;
            }
        }
    }

    /** What the events of one burst said. */
    private final class Burst {
        boolean concernsTheFile;
        boolean directoryGone;

        void drain(WatchKey key) {
            for (WatchEvent<?> event : key.pollEvents()) {
                concernsTheFile |= event.kind() == StandardWatchEventKinds.OVERFLOW
                        || event.context() instanceof Path name
                                && (name.equals(fileName) || name.toString().startsWith(".."));
            }
            directoryGone |= !key.reset();
        }
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Closing the file watch failed: {0}", e.toString());
        }
    }
}
