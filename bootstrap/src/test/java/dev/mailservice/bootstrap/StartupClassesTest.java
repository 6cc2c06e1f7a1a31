package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Loading a start's classes ahead: what is loaded, and that none of their code runs. That the jar
 * does it on a thread of its own, ahead of the start's need, is {@code StartupClassListIT}'s.
 */
class StartupClassesTest {

    /**
     * The system property counting {@link SaysWhenInitialised}'s initialisations, in any loader (a
     * constant, so the copies in other loaders need no access to this class).
     */
    private static final String INITIALISATIONS = "startup-classes-test.initialisations";

    /** A class that counts its initialisations; each {@link AskedFor} defines one of its own. */
    static final class SaysWhenInitialised {
        static {
            System.setProperty(INITIALISATIONS, Integer.toString(Integer.getInteger(INITIALISATIONS, 0) + 1));
        }

        private SaysWhenInitialised() {}
    }

    @Test
    void eachListedClassIsLoadedInTheListsOrderNoneOfItsCodeRunsAndAMissingOnePassesOver() throws Exception {
        String fixture = SaysWhenInitialised.class.getName();
        AskedFor loader = new AskedFor("list", fixture + "\ndev.mailservice.NoSuchClass\n\n " + Main.class.getName());
        int before = Integer.getInteger(INITIALISATIONS, 0);

        StartupClasses.loadListed("list", loader);

        assertEquals(List.of(fixture, "dev.mailservice.NoSuchClass", Main.class.getName()), loader.asked);
        assertEquals(before, Integer.getInteger(INITIALISATIONS, 0), "loading ran the static initialiser");
        // The initialiser does run once the class is used, as the start would use it.
        Class.forName(fixture, true, loader);
        assertEquals(before + 1, Integer.getInteger(INITIALISATIONS, 0));
    }

    @Test
    void aMissingListLoadsNothing() {
        AskedFor loader = new AskedFor("another list", Main.class.getName());

        StartupClasses.loadListed("list", loader);

        assertEquals(List.of(), loader.asked);
    }

    @Test
    void eachBackendHasItsListAndTheSwitchTurnsTheLoadingOff() throws Exception {
        for (BackendSettings.Kind kind : BackendSettings.Kind.values()) {
            try (InputStream list = Main.class.getClassLoader().getResourceAsStream(StartupClasses.listName(kind))) {
                assertTrue(list != null && list.readAllBytes().length > 0, "no list for " + kind);
            }
        }
        System.setProperty(StartupClasses.PRELOAD_PROPERTY, "false");
        try {
            assertTrue(StartupClasses.preload(Map.of()).isEmpty(), "the switch did not turn it off");
        } finally {
            System.clearProperty(StartupClasses.PRELOAD_PROPERTY);
        }
    }

    /**
     * A class loader that notes each class asked of it, defines {@link SaysWhenInitialised} anew
     * (so that each test has its own to initialise), and holds one resource of its own.
     */
    private static final class AskedFor extends ClassLoader {

        final List<String> asked = new CopyOnWriteArrayList<>();
        private final String resource;
        private final String content;

        AskedFor(String resource, String content) {
            super(StartupClassesTest.class.getClassLoader());
            this.resource = resource;
            this.content = content;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("java.")) { // the JDK's: the superclass of the class defined here
                asked.add(name);
            }
            if (!name.equals(SaysWhenInitialised.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> defined = findLoadedClass(name);
                return defined != null ? defined : defineClass(name, bytesOf(name));
            }
        }

        private Class<?> defineClass(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }

        private static byte[] bytesOf(String name) {
            try (InputStream in = StartupClassesTest.class.getClassLoader()
                    .getResourceAsStream(name.replace('.', '/') + ".class")) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            return name.equals(resource) ? new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)) : null;
        }
    }
}
