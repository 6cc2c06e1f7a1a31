package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Loading a start's classes ahead: what is loaded, and that none of their code runs. */
class StartupClassesTest {

    private static final String INITIALISED = "startup-classes-test.initialised";

    /** A class whose static initialiser says that it ran. */
    static final class SaysWhenInitialised {
        static {
            System.setProperty(INITIALISED, "true");
        }

        private SaysWhenInitialised() {}

        static void touch() {}
    }

    @Test
    void eachListedClassIsLoadedInTheListsOrderNoneOfItsCodeRunsAndAMissingOnePassesOver() throws Exception {
        String fixture = SaysWhenInitialised.class.getName();
        AskedFor loader = new AskedFor("list", fixture + "\ndev.mailservice.NoSuchClass\n\n" + Main.class.getName());

        StartupClasses.load("list", loader).join();

        assertEquals(List.of(fixture, "dev.mailservice.NoSuchClass", Main.class.getName()), loader.asked);
        assertNull(System.getProperty(INITIALISED), "loading ran the static initialiser");
        // The initialiser does say so once the class is used, as the start would use it.
        SaysWhenInitialised.touch();
        assertEquals("true", System.getProperty(INITIALISED));
    }

    @Test
    void aMissingListLoadsNothing() throws Exception {
        AskedFor loader = new AskedFor("another list", Main.class.getName());

        StartupClasses.load("list", loader).join();

        assertEquals(List.of(), loader.asked);
    }

    @Test
    void eachBackendHasItsListInTheJarAndTheSwitchTurnsItOff() throws Exception {
        for (BackendSettings.Kind kind : BackendSettings.Kind.values()) {
            try (InputStream list = Main.class.getClassLoader().getResourceAsStream(StartupClasses.listName(kind))) {
                assertTrue(list != null && list.readAllBytes().length > 0, "no list for " + kind);
            }
        }
        assertTrue(StartupClasses.preload(Map.of("SMTP_CONFIG_BACKEND", "nonsense")).isEmpty(),
                "a refused backend has no list");
        System.setProperty(StartupClasses.PRELOAD_PROPERTY, "false");
        try {
            assertTrue(StartupClasses.preload(Map.of()).isEmpty(), "the switch did not turn it off");
        } finally {
            System.clearProperty(StartupClasses.PRELOAD_PROPERTY);
        }
        StartupClasses.preload(Map.of()).orElseThrow().join();
    }

    /** The test's class loader, noting each class asked for, and holding one resource of its own. */
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
            asked.add(name);
            return super.loadClass(name, resolve);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            return name.equals(resource) ? new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)) : null;
        }
    }
}
