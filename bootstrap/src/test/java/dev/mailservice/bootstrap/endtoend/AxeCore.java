package dev.mailservice.bootstrap.endtoend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** axe-core's script, from its WebJar, to run in the browser the tests drive. */
final class AxeCore {

    /** The WebJar's version, as its own Maven properties say (the root pom chooses it). */
    static final String VERSION = read("META-INF/maven/org.webjars.npm/axe-core/pom.properties").lines()
            .filter(line -> line.startsWith("version=")).findFirst().orElseThrow().substring("version=".length());
    static final String SOURCE = read("META-INF/resources/webjars/axe-core/" + VERSION + "/axe.min.js");

    private AxeCore() {}

    private static String read(String resource) {
        try (InputStream in = AxeCore.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path: the axe-core WebJar is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
