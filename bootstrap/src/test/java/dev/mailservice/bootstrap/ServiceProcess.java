package dev.mailservice.bootstrap;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The service as its own process, started by {@link Main} with the given environment variables. */
final class ServiceProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("Mail service ready on port (\\d+)");

    private final Process process;
    private final Thread outputReader;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private ServiceProcess(Process process) {
        this.process = process;
        this.outputReader = Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (Exception ended) {
                // the process is gone
            }
        });
    }

    /**
     * Starts the service in {@code directory} with {@code variables}; variables of the service
     * that the test's own environment happens to hold are left out.
     */
    static ServiceProcess launch(Path directory, Map<String, String> variables) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return launch(directory, variables, "-cp", classPath, Main.class.getName());
    }

    /** As {@link #launch(Path, Map)}, but from the packaged jar, as an operator runs it. */
    static ServiceProcess launchJar(Path directory, Map<String, String> variables, Path jar) throws Exception {
        return launch(directory, variables, "-jar", jar.toString());
    }

    /** As {@link #launchJar}, with the JVM flags a deployment runs it with ({@link #deploymentJvmFlags}). */
    static ServiceProcess launchJarAsDeployed(Path directory, Map<String, String> variables, Path jar) throws Exception {
        List<String> arguments = new ArrayList<>(deploymentJvmFlags());
        arguments.addAll(List.of("-jar", jar.toString()));
        return launch(directory, variables, arguments.toArray(String[]::new));
    }

    /**
     * The JVM flags the service is documented to run with: the default of {@code SERVICE_JAVA_FLAGS}
     * in {@code bin/java-env}, read from there so that they are written down once.
     */
    static List<String> deploymentJvmFlags() throws Exception {
        Matcher flags = Pattern.compile("SERVICE_JAVA_FLAGS:-\\$JAVA_FLAGS ([^}]*)}")
                .matcher(Files.readString(Path.of("bin", "java-env")));
        if (!flags.find()) {
            throw new AssertionError("bin/java-env no longer sets SERVICE_JAVA_FLAGS' default the way this test reads it");
        }
        List<String> arguments = new ArrayList<>(List.of(flags.group(1).strip().split("\\s+")));
        if (Runtime.version().feature() >= 23) {
            arguments.add("--sun-misc-unsafe-memory-access=allow");
        }
        return arguments;
    }

    private static ServiceProcess launch(Path directory, Map<String, String> variables, String... javaArguments)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(javaArguments));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("SMTP_") || name.startsWith("ETCD_")
                || name.equals("PORT") || name.equals("SECRET_KEY") || name.endsWith("JWT_SECRET"));
        builder.environment().putAll(variables);
        return new ServiceProcess(builder.start());
    }

    /** The port of the ready line, waiting for it; fails if the process ends first. */
    int awaitReadyPort() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive()) {
            for (String line : output) {
                Matcher ready = READY.matcher(line);
                if (ready.find()) {
                    return Integer.parseInt(ready.group(1));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no ready line: " + output);
    }

    /** Sends SIGTERM (through the handle: Process.destroy() would also close our end of the output). */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Sends SIGKILL: the process ends at once, in the middle of whatever it does. */
    void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the process to end and for its last output; returns its exit status. */
    int exitCode() throws Exception {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the process did not end: " + output);
        }
        outputReader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /** Every line the process wrote so far, standard output and error together. */
    List<String> output() {
        return List.copyOf(output);
    }

    /** How many lines announce readiness. */
    long readyLines() {
        return output.stream().filter(line -> READY.matcher(line).find()).count();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
