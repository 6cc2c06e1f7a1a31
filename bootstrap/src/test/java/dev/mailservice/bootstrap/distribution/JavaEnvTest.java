package dev.mailservice.bootstrap.distribution;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
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
        // A runtime of a release no JDK here has.
        Path runtime = launcherOf(directory.resolve("runtime-only"), "99", "99+1").getParent();
        Path launcher = runtime.resolve("java");
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

    /**
     * A {@code bin/java} in {@code home} that says, as {@code java -XshowSettings:properties -version}
     * does, that it is a runtime of release {@code release}; answers the launcher.
     */
    private static Path launcherOf(Path home, String release, String vmVersion) throws Exception {
        Path launcher = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(launcher, """
                #!/bin/sh
                cat >&2 <<EOF
                Property settings:
                    java.home = %s
                    java.specification.version = %s
                    java.vm.version = %s
                EOF
                """.formatted(home, release, vmVersion));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    /**
     * Sourced for this JDK, then again for one older than 23 (which refuses
     * {@code --sun-misc-unsafe-memory-access}), it leaves that flag in neither the service's flags
     * nor Maven's, and adds it once, however often it is sourced.
     */
    @Test
    void sourcedAgainForAnOlderJdkItTakesOutTheFlagThatJdkRefuses() throws Exception {
        Path older = launcherOf(directory.resolve("jdk-22"), "22", "22+36").getParent();
        Files.createSymbolicLink(older.resolve("javac"), Path.of(System.getProperty("java.home"), "bin", "javac"));

        Process sourced = new ProcessBuilder("bash", "-c", "export JAVA_HOME=\"" + System.getProperty("java.home")
                + "\"; unset SERVICE_JAVA_FLAGS MAVEN_OPTS; source bin/java-env && source bin/java-env"
                + " && echo \"twice: $MAVEN_OPTS\" && export JAVA_HOME=\"" + older.getParent() + "\""
                + " && source bin/java-env && echo \"older: $SERVICE_JAVA_FLAGS | $MAVEN_OPTS\"")
                .redirectErrorStream(true).start();
        String output = new String(sourced.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(sourced.waitFor(60, TimeUnit.SECONDS));

        String twice = output.lines().filter(line -> line.startsWith("twice: ")).findFirst().orElseThrow(() ->
                new AssertionError(output));
        assertTrue(twice.split("--sun-misc-unsafe-memory-access=allow", -1).length <= 2, twice);
        String forTheOlder = output.lines().filter(line -> line.startsWith("older: ")).findFirst().orElseThrow(() ->
                new AssertionError(output));
        assertFalse(forTheOlder.contains("--sun-misc-unsafe-memory-access"), forTheOlder);
        assertTrue(forTheOlder.contains("-XX:TieredStopAtLevel=1"), forTheOlder);
    }

    /**
     * Making the start-up cache (JDK 25 and newer, the start after the one that recorded it) sets
     * traps of its own for the while, and puts the caller's back after: run-local's, which stop
     * what it started, must still run on a stop. Made here by a stand-in for the JVM, which writes
     * the cache file it is given.
     */
    @Test
    @EnabledForJreRange(minVersion = 25)
    void makingTheStartUpCacheLeavesTheCallersTrapsAsTheyWere() throws Exception {
        Path jar = Files.writeString(directory.resolve("mail-service.jar"), "a jar");
        Path standIn = Files.createDirectories(directory.resolve("stand-in/bin")).resolve("java");
        Files.writeString(standIn, """
                #!/bin/sh
                for argument; do case $argument in -XX:AOTCache=*) : > "${argument#-XX:AOTCache=}" ;; esac; done
                """);
        Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cache = directory.resolve("cache");

        Process made = new ProcessBuilder("bash", "-c", "set -euo pipefail; export JAVA_HOME=\"" + System.getProperty(
                "java.home") + "\"; unset SERVICE_JAVA_FLAGS; source bin/java-env"
                + "; trap 'echo stopped' TERM INT"
                + "; service_startup_cache_flags " + jar + " " + cache + " || true"
                + "; recorded=${STARTUP_CACHE_FLAGS[1]#-XX:AOTConfiguration=}; touch \"$recorded\" \"${recorded%.aotconf}.ready\""
                + "; JAVA_HOME=" + standIn.getParent().getParent()
                + "; service_startup_cache_flags " + jar + " " + cache + " || true"
                + "; echo \"flags: ${STARTUP_CACHE_FLAGS[*]}\"; trap -p TERM INT")
                .redirectErrorStream(true).start();
        String output = new String(made.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(made.waitFor(60, TimeUnit.SECONDS) && made.exitValue() == 0, output);

        assertTrue(output.contains("flags: -XX:AOTCache=" + cache), "no cache was made: " + output);
        assertTrue(output.contains("trap -- 'echo stopped' SIGTERM") && output.contains("trap -- 'echo stopped' SIGINT"),
                "the caller's traps are gone: " + output);
    }
}
