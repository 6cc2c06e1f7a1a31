package dev.mailservice.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real programs some tests run (etcd, redis-server, openssl, node, chromium). With {@code CI=true} a missing program
 * fails the test, so CI can never count a skipped test as passed; elsewhere the test is skipped
 * with a message saying what to install.
 */
public final class ExternalTools {

    private static final Map<String, String> INSTALL_HINTS = Map.of(
            "etcd", "install Debian's etcd-server (apt-get install etcd-server), or run bootstrap/bin/run-tests",
            "redis-server", "install Debian's redis-server (apt-get install redis-server), or run bootstrap/bin/run-tests",
            "openssl", "install openssl",
            "node", "install Node.js",
            "chromium", "install Debian's chromium (apt-get install chromium chromium-driver), or run bootstrap/bin/run-tests",
            "chromedriver", "install Debian's chromium-driver (apt-get install chromium-driver), or run bootstrap/bin/run-tests");

    private ExternalTools() {}

    /** The path of {@code command}; fails or skips the calling test when it is missing. */
    public static Path require(String command) {
        return require(command, System.getenv());
    }

    /** {@link #require(String)} in the given environment. */
    static Path require(String command, Map<String, String> environment) {
        Optional<Path> found = find(command, environment);
        if (found.isPresent()) {
            return found.get();
        }
        String message = command + " is not installed: " + INSTALL_HINTS.getOrDefault(command, "install it");
        if ("true".equalsIgnoreCase(environment.get("CI"))) {
            Assertions.fail(message + " (CI=true: a missing " + command + " fails the run)");
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    /** Starts {@code command} with {@code arguments}; see {@link #require}. */
    public static Process start(String command, String... arguments) throws IOException {
        List<String> line = new ArrayList<>();
        line.add(require(command).toString());
        line.addAll(List.of(arguments));
        return new ProcessBuilder(line).start();
    }

    /** Sends {@code signal} ({@code -STOP}, {@code -CONT}) to {@code process}, to freeze a server or let it run on. */
    public static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    private static Optional<Path> find(String command, Map<String, String> environment) {
        List<Path> candidates = new ArrayList<>();
        for (String directory : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!directory.isEmpty()) {
                candidates.add(Path.of(directory, command));
            }
        }
        candidates.add(Path.of("/usr/bin", command));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }
}
