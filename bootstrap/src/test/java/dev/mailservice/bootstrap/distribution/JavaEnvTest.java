package dev.mailservice.bootstrap.distribution;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code bin/java-env} picks the JDK the build and the service run on. */
class JavaEnvTest {

    @TempDir
    Path directory;

    /**
     * {@code java} and {@code javac} on the PATH may be alternatives pointing at two installations
     * (Debian's {@code /usr/bin}): a newer runtime without a compiler beside an older JDK. The
     * runtime is no JDK to build with, and the next one is taken.
     */
    @Test
    void aRuntimeWithoutItsOwnCompilerIsPassedOverWhateverJavacIsBesideItsLauncher() throws Exception {
        Path runtime = Files.createDirectories(directory.resolve("runtime-only/bin"));
        Path launcher = runtime.resolve("java");
        // What `java -XshowSettings:properties -version` says, for a runtime of a release no JDK here has.
        Files.writeString(launcher, """
                #!/bin/sh
                cat >&2 <<EOF
                Property settings:
                    java.home = %s
                    java.specification.version = 99
                    java.vm.version = 99+1
                EOF
                """.formatted(runtime.getParent()));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path path = Files.createDirectories(directory.resolve("path"));
        Files.createSymbolicLink(path.resolve("java"), launcher);
        Files.createSymbolicLink(path.resolve("javac"), Path.of(System.getProperty("java.home"), "bin", "javac"));

        Process chosen = new ProcessBuilder("bash", "-c",
                "unset JAVA_HOME; PATH=\"" + path + ":$PATH\"; source bin/java-env && echo \"$JAVA_HOME\"")
                .redirectErrorStream(true).start();
        String output = new String(chosen.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(chosen.waitFor(60, TimeUnit.SECONDS));

        if (chosen.exitValue() != 0) {
            // No other JDK 21 or newer on this machine (none under /usr/lib/jvm): passed over all the same.
            assertTrue(output.contains("No JDK 21 or newer found"), output);
            return;
        }
        String home = output.lines().reduce((first, last) -> last).orElse("");
        assertNotEquals(runtime.getParent().toString(), home, "chose the runtime without a compiler");
        assertTrue(Files.isExecutable(Path.of(home, "bin", "javac")), "chose " + home + ", which has no javac");
    }
}
