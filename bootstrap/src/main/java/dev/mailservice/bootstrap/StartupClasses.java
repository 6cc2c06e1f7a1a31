package dev.mailservice.bootstrap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The classes a start of the service loads from its jars, loaded ahead of it on a thread of their
 * own, in the order the start needs them.
 *
 * <p>Why: a start without the start-up cache spends most of its time loading classes, each read
 * from its jar, parsed and defined on the main thread when the code first reaches it, while the
 * machine's other core waits. The JDK's own answer is the class-data cache, which the start scripts
 * keep, but it needs a file that a start before has made (a container on a read-only root has
 * none), and the JDK has no feature that loads a known list of classes in parallel. So this thread
 * reads and defines them from a list recorded from a start on the same backend, while the main
 * thread runs what they hold. Loading runs none of a class's code (its static initialiser runs
 * when the start first uses it, on the thread that does, as without this), so the start does what
 * it did, in the same order; only the reading and parsing have moved. A class the list names that
 * is gone is passed over, and one it misses is loaded when first used, as ever: a stale list costs
 * time, not correctness. With the cache, the thread finds the classes loaded already. The lists are
 * recorded by a test of the packaged jar, which fails when they no longer match a start.
 */
final class StartupClasses {

    /**
     * The system property that turns the loading off when {@code false}: for a start whose classes
     * must load in its own order (as the lists are recorded), or that should leave the other core alone.
     */
    static final String PRELOAD_PROPERTY = "mailservice.preloadStartupClasses";
    private static final String LIST_FOLDER = "dev/mailservice/bootstrap/startup-classes/";

    private StartupClasses() {}

    /**
     * Starts loading the classes a start on the backend {@code environment} names loads; not on a
     * single core (where it would only take turns with the start), nor when {@link #PRELOAD_PROPERTY}
     * is {@code false}. A refused backend loads nothing (the start says why and ends).
     *
     * @return the loading thread, a daemon that ends by itself; empty when none was started
     */
    static Optional<Thread> preload(Map<String, String> environment) {
        if (!Boolean.parseBoolean(System.getProperty(PRELOAD_PROPERTY, "true"))
                || Runtime.getRuntime().availableProcessors() < 2) {
            return Optional.empty();
        }
        Thread loading = new Loading(environment);
        loading.start();
        return Optional.of(loading);
    }

    /** The resource that lists, one binary name a line, the classes a start on {@code kind} loads from its jars. */
    static String listName(BackendSettings.Kind kind) {
        return LIST_FOLDER + kind.name().toLowerCase(Locale.ROOT) + ".txt";
    }

    /**
     * Loads, without initialising, each class {@code list} names with {@code loader}, which also
     * holds the list, in the list's order; a missing or unreadable list loads nothing (only the
     * start's time depends on it).
     */
    static void loadListed(String list, ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(list)) {
            if (in == null) {
                return;
            }
            BufferedReader names = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String name = names.readLine(); name != null; name = names.readLine()) {
                if (!name.isBlank()) {
                    load(name.strip(), loader);
                }
            }
        } catch (IOException | UncheckedIOException unreadable) {
            // The start loads what it needs by itself.
        }
    }

    private static void load(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError | SecurityException notLoadable) {
            // Gone since the list was recorded, or not loadable here: the start meets it as it would have.
        }
    }

    /**
     * The loading thread. Everything it does, the backend's reading too, is on it: even a first
     * lambda would cost the main thread the JDK's set-up of lambdas before the thread started.
     */
    private static final class Loading extends Thread {

        private final Map<String, String> environment;

        Loading(Map<String, String> environment) {
            super("startup-class-loading");
            this.environment = environment;
            setDaemon(true);
        }

        @Override
        public void run() {
            // Refusals are noted in an environment of its own and dropped: the settings read them again.
            Optional<BackendSettings.Kind> kind = BackendSettings.kind(new Environment(environment));
            if (kind.isPresent()) {
                loadListed(listName(kind.get()), StartupClasses.class.getClassLoader());
            }
        }
    }
}
