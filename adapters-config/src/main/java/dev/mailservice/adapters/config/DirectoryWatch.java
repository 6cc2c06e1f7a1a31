package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigRepository.Subscription;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
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
 */
final class DirectoryWatch implements Subscription {

    private static final System.Logger LOG = System.getLogger(DirectoryWatch.class.getName());
    static final Duration QUIET_PERIOD = Duration.ofMillis(100);

    private final WatchService watchService;
    private final Path fileName;
    private final Runnable onChange;

    private DirectoryWatch(WatchService watchService, Path fileName, Runnable onChange) {
        this.watchService = watchService;
        this.fileName = fileName;
        this.onChange = onChange;
    }

    /** Starts watching {@code file}; when its directory cannot be watched, says so and watches nothing. */
    static Subscription start(Path file, Runnable onChange) {
        Path directory = file.getParent();
        try {
            WatchService watchService = FileSystems.getDefault().newWatchService();
            directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            DirectoryWatch watch = new DirectoryWatch(watchService, file.getFileName(), onChange);
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
                boolean concernsTheFile = drain(watchService.take());
                WatchKey more;
                while ((more = watchService.poll(QUIET_PERIOD.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    concernsTheFile |= drain(more);
                }
                if (concernsTheFile) {
                    onChange.run();
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException stopped) {
            // closed: the watch is over
        }
    }

    /** Takes the key's events and says whether any of them may concern the file. */
    private boolean drain(WatchKey key) {
        boolean concernsTheFile = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            concernsTheFile |= event.kind() == StandardWatchEventKinds.OVERFLOW
                    || event.context() instanceof Path name
                            && (name.equals(fileName) || name.toString().startsWith(".."));
        }
        key.reset();
        return concernsTheFile;
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
