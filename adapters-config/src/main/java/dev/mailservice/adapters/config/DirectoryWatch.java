package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigRepository.Subscription;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Calls back when anything in a directory changes, once per burst of changes.
 *
 * <p>The whole directory is watched, not one file name: editors save by writing a new file and
 * renaming it, and Kubernetes swaps a mounted file through a symbolic link, and neither touches
 * the configuration file's own name. A burst of events (a save is several) becomes one call
 * once the directory has been quiet for {@link #QUIET_PERIOD}, so a half-written file is not read.
 */
final class DirectoryWatch implements Subscription {

    private static final System.Logger LOG = System.getLogger(DirectoryWatch.class.getName());
    static final Duration QUIET_PERIOD = Duration.ofMillis(100);

    private final WatchService watchService;
    private final Runnable onChange;

    private DirectoryWatch(WatchService watchService, Runnable onChange) {
        this.watchService = watchService;
        this.onChange = onChange;
    }

    /** Starts watching {@code directory}; when it cannot be watched, says so and watches nothing. */
    static Subscription start(Path directory, Runnable onChange) {
        try {
            WatchService watchService = FileSystems.getDefault().newWatchService();
            directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            DirectoryWatch watch = new DirectoryWatch(watchService, onChange);
            Thread.ofPlatform().name("smtp-config-file-watch").daemon(true).start(watch::run);
            return watch;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot watch {0} for changes ({1}); changes apply on an HTTP reload only",
                    directory, e.toString());
            return Subscription.NONE;
        }
    }

    private void run() {
        try {
            while (true) {
                drain(watchService.take());
                WatchKey more;
                while ((more = watchService.poll(QUIET_PERIOD.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                onChange.run();
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            // closed: the watch is over
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
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
