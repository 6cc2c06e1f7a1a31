package dev.mailservice.bootstrap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The classes a start of the service loads from its jars, loaded ahead of it on a thread of their
 * own, in the order the start needs them.
 *
 * <p>Why: a start without the start-up cache spends most of its time loading classes (some 2,700
 * of the libraries' and the service's on the file backend, 4,500 on etcd), each read from its jar,
 * parsed and defined on the main thread when the code first reaches it, while the machine's other
 * core waits. The JDK's own answer is the class-data cache, which the start scripts keep, but it
 * needs a file that a start before has made (a container on a read-only root has none), and the
 * JDK has no feature that loads a known list of classes in parallel. So this thread reads and
 * defines them from a list recorded from a start of the same backend, while the main thread runs
 * what they hold. Loading runs none of a class's code (its static initialiser runs when the start
 * first uses it, on the thread that does, as without this), so the start does what it did, in the
 * same order; only the reading and parsing have moved. A class the list names that is gone is
 * passed over, and one it misses is loaded when first used, as ever: a stale list costs time,
 * not correctness. The lists are recorded by a test of the packaged jar, which fails when they no
 * longer match a start (docs/benchmark.md, start-up).
 */
final class StartupClasses {

    /** The system property that turns this off ({@code false}), for recording the lists in a start's own order. */
    static final String PRELOAD_PROPERTY = "mailservice.preloadStartupClasses";
    private static final String LIST_FOLDER = "dev/mailservice/bootstrap/startup-classes/";

    private StartupClasses() {}

    /**
     * Starts loading the classes a start on the backend {@code environment} names loads, unless
     * {@link #PRELOAD_PROPERTY} is {@code false}; nothing when the backend is refused (the start
     * says why and ends).
     *
     * @return the loading thread, a daemon that ends by itself
     */
    static Optional<Thread> preload(Map<String, String> environment) {
        if (!Boolean.parseBoolean(System.getProperty(PRELOAD_PROPERTY, "true"))) {
            return Optional.empty();
        }
        // Refusals are noted in an environment of their own and dropped: the settings read them again.
        return BackendSettings.kind(new Environment(environment)).map(kind -> load(listName(kind),
                StartupClasses.class.getClassLoader()));
    }

    /** The resource that lists, one binary name a line, the classes a start on {@code kind} loads from its jars. */
    static String listName(BackendSettings.Kind kind) {
        return LIST_FOLDER + kind.name().toLowerCase(Locale.ROOT) + ".txt";
    }

    /**
     * Starts a daemon thread that loads, without initialising, each class {@code list} names with
     * {@code loader}, which also holds the list; a missing or unreadable list loads nothing (only the
     * start's time depends on it).
     */
    static Thread load(String list, ClassLoader loader) {
        Thread loading = new Thread(() -> {
            for (String name : names(list, loader)) {
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError notThere) {
                    // Gone since the list was recorded, or not loadable here: the start meets it as it would have.
                }
            }
        }, "startup-class-loading");
        loading.setDaemon(true);
        loading.start();
        return loading;
    }

    private static List<String> names(String list, ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(list)) {
            if (in == null) {
                return List.of();
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .filter(line -> !line.isBlank()).toList();
        } catch (IOException | UncheckedIOException unreadable) {
            return List.of();
        }
    }
}
