package dev.mailservice.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service as a process of its own, as a deployment runs it: started from the test class path
 * or from the packaged jar, with the given environment variables, its output (standard output and
 * error together) written to a log file beside the other files of the run.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The service's entry point, named here because the kit cannot depend on the module that holds it. */
    private static final String MAIN_CLASS = "dev.mailservice.bootstrap.Main";
    private static final Pattern READY = Pattern.compile("Mail service ready on port (\\d+)");
    /** Variables of the service that the caller's own environment may hold; a run sets its own. */
    private static final Pattern SERVICE_VARIABLE =
            Pattern.compile("SMTP_.*|ETCD_.*|REDIS_.*|KV_STORE_TYPE|TLS_CA_FILE|HIDE_SECRET_CONFIG|PORT|SECRET_KEY"
                    + "|.*JWT_SECRET|MAIL_.*|HTTP_.*|OBSERVE_PORT|READY_REQUIRES_SMTP|SHUTDOWN_GRACE_MS|LOG_FORMAT");

    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code dev.mailservice.bootstrap.Main} from the running test's class path, with
     * {@code arguments} (a command and its words; none to serve).
     */
    public static ServiceProcess launch(Path directory, Map<String, String> variables, String... arguments)
            throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> javaArguments = new ArrayList<>(List.of("-cp", classPath, MAIN_CLASS));
        javaArguments.addAll(List.of(arguments));
        return launchJava(directory, variables, javaArguments);
    }

    /** Starts the packaged jar with {@code jvmFlags}, as an operator runs it. */
    public static ServiceProcess launchJar(Path directory, Map<String, String> variables, Path jar,
            List<String> jvmFlags) throws IOException {
        List<String> arguments = new ArrayList<>(jvmFlags);
        arguments.addAll(List.of("-jar", jar.toString()));
        return launchJava(directory, variables, arguments);
    }

    /**
     * Starts the packaged jar with the JVM flags a deployment gives it ({@link #deploymentJvmFlags}
     * of {@code bin/java-env}, relative to the working directory: the bootstrap module's, as its
     * tests run).
     */
    public static ServiceProcess launchJarAsDeployed(Path directory, Map<String, String> variables, Path jar)
            throws IOException {
        return launchJar(directory, variables, jar, deploymentJvmFlags(Path.of("bin", "java-env")));
    }

    /**
     * The JVM flags the service is documented to run with: the default of {@code SERVICE_JAVA_FLAGS}
     * in {@code javaEnv} (the project's {@code bin/java-env}), read from there so that they are
     * written down once.
     */
    public static List<String> deploymentJvmFlags(Path javaEnv) throws IOException {
        Matcher flags = Pattern.compile("MAIL_SERVICE_JAVA_FLAGS_SET=\"\\$\\{JAVA_FLAGS:\\+\\$JAVA_FLAGS }([^\"]*)\"")
                .matcher(Files.readString(javaEnv));
        if (!flags.find()) {
            throw new IllegalStateException(javaEnv + " no longer sets SERVICE_JAVA_FLAGS' default the way this kit reads it");
        }
        List<String> arguments = new ArrayList<>(List.of(flags.group(1).strip().split("\\s+")));
        if (Runtime.version().feature() >= 23) {
            arguments.add("--sun-misc-unsafe-memory-access=allow");
        }
        return arguments;
    }

    private static ServiceProcess launchJava(Path directory, Map<String, String> variables, List<String> javaArguments)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(javaArguments);
        return launchCommand(directory, variables, command);
    }

    /** Starts {@code command} (the distribution's start script, say) as the service, in {@code directory}. */
    public static ServiceProcess launchCommand(Path directory, Map<String, String> variables, List<String> command)
            throws IOException {
        Path log = Files.createTempFile(directory, "service-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> SERVICE_VARIABLE.matcher(name).matches());
        // Stops at once unless a test asks for the grace a deployment gives its load balancers.
        builder.environment().put("SHUTDOWN_GRACE_MS", "0");
        builder.environment().putAll(variables);
        return new ServiceProcess(builder.start(), log);
    }

    /** The port of the ready line, waiting for it; fails with the output if the process ends first. */
    public int awaitReadyPort() throws Exception {
        Matcher ready = READY.matcher(awaitLine(line -> READY.matcher(line).find(), Duration.ofSeconds(60)));
        ready.find();
        return Integer.parseInt(ready.group(1));
    }

    /**
     * The first line the process wrote that matches, waiting up to {@code patience} for it: a line is
     * written after what it reports is visible elsewhere (an answer, a metric), so tests wait for it.
     * Fails with the output if the process ends first or the time runs out.
     */
    public String awaitLine(Predicate<String> wanted, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            boolean alive = process.isAlive(); // read before the output, so a last line written before exiting counts
            for (String line : output()) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            if (!alive || System.nanoTime() >= deadline) {
                throw new AssertionError("no such line " + (alive ? "within " + patience : "before the process ended")
                        + ": " + output());
            }
            Thread.sleep(20);
        }
    }

    /** Sends SIGTERM: the service shuts down in order. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Sends SIGKILL: the process ends at once, in the middle of whatever it does. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the process to end; returns its exit status. */
    public int exitCode() throws Exception {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the process did not end: " + output());
        }
        return process.exitValue();
    }

    /** Every line the process wrote so far. */
    public List<String> output() throws IOException {
        return Files.readAllLines(log);
    }

    /** How many lines announce readiness. */
    public long readyLines() throws IOException {
        return output().stream().filter(line -> READY.matcher(line).find()).count();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Resident memory of the process in megabytes, from /proc. */
    public double residentMegabytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + process.pid());
    }

    /** Ends the process, in order if it takes SIGTERM within 20 s, else at once. */
    @Override
    public void close() throws InterruptedException {
        terminate();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            kill();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
