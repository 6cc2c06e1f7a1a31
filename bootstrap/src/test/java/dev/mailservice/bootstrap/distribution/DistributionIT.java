package dev.mailservice.bootstrap.distribution;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.ServiceProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.io.TempDir;

/** The distribution ({@code mail-service-<version>.tar.gz}) unpacked and started as an operator starts it. */
class DistributionIT {

    @TempDir
    Path directory;

    private Path unpack() throws Exception {
        Path archive = Path.of(System.getProperty("service.distribution"));
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", directory.toString())
                .redirectErrorStream(true).start();
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0,
                new String(tar.getInputStream().readAllBytes()));
        try (Stream<Path> unpacked = Files.list(directory)) {
            return unpacked.filter(path -> path.getFileName().toString().startsWith("mail-service-")).findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void holdsWhatADeploymentNeeds() throws Exception {
        Path home = unpack();

        assertTrue(Files.isExecutable(home.resolve("bin/mail-service")));
        assertTrue(Files.isExecutable(home.resolve("bin/make-startup-cache")));
        assertTrue(Files.readString(home.resolve("LICENSE")).strip().startsWith("Apache License\n"
                + "                           Version 2.0, January 2004"), "no Apache License 2.0 in the distribution");
        for (String file : List.of("bin/java-env", "lib/mail-service.jar", "config/smtp.json", "config/environment",
                "systemd/mail-service.service", "deploy/Dockerfile", "deploy/kubernetes/deployment.yaml",
                "deploy/kubernetes/service.yaml", "deploy/kubernetes/secret.yaml", "deploy/kubernetes/configmap.yaml",
                "deploy/kubernetes/poddisruptionbudget.yaml", "deploy/compose/docker-compose.mail-service.yml")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file + " is missing");
        }
        try (Stream<Path> libraries = Files.list(home.resolve("lib/libs"))) {
            assertTrue(libraries.anyMatch(jar -> jar.getFileName().toString().startsWith("helidon-webserver-")));
        }
        String unit = Files.readString(home.resolve("systemd/mail-service.service"));
        for (String option : List.of("ExecStart=/opt/mail-service/bin/mail-service", "DynamicUser=yes",
                "StateDirectory=mail-service", "NoNewPrivileges=yes", "ProtectSystem=strict", "KillSignal=SIGTERM",
                "SuccessExitStatus=143")) {
            assertTrue(unit.lines().anyMatch(option::equals), "the unit lacks " + option);
        }
    }

    @Test
    void theStartScriptStartsTheServiceThatServesTheReloadRoute() throws Exception {
        Path home = unpack();
        Path configuration = home.resolve("config/smtp.json");

        try (ServiceProcess service = ServiceProcess.launchCommand(directory, Map.of(
                        "JAVA_HOME", Path.of(System.getProperty("java.home")).toString(),
                        "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", USER_SECRET,
                        "SMTP_CONFIG_FILE", configuration.toString(), "PORT", "0"),
                        List.of(home.resolve("bin/mail-service").toString()));
                ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET)) {
            HttpResponse<String> reloaded = client.reload();

            assertEquals(200, reloaded.statusCode(), reloaded.body());
            assertTrue(reloaded.body().contains("\"host\":\"smtp.example.com\""), reloaded.body());
            List<String> jvmArguments = List.of(ProcessHandle.of(service.pid()).orElseThrow().info().arguments()
                    .orElseThrow());
            assertTrue(jvmArguments.containsAll(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")),
                    "not started with the measured JVM flags: " + jvmArguments);
            service.terminate();
            assertEquals(143, service.exitCode(), String.join("\n", service.output()));
        }
    }

    /**
     * The start script keeps a start-up cache: the first start that gets ready records it (what one
     * that stopped before recorded is dropped), later starts map it and serve as before; another
     * build of the jar gets a cache of its own, and the old one goes.
     */
    @Test
    void theStartScriptMakesAStartUpCacheOnTheFirstRunAndStartsWithItAfter() throws Exception {
        Path home = unpack();
        Path cache = directory.resolve("startup-cache");
        Map<String, String> variables = cachedStart(home, cache);
        boolean aotCache = Runtime.version().feature() >= 25;

        // A start that stops on a missing setting records too few classes: not made into the cache.
        Map<String, String> withoutASecret = new java.util.HashMap<>(variables);
        withoutASecret.remove("JWT_SECRET");
        try (ServiceProcess failed = ServiceProcess.launchCommand(directory, withoutASecret,
                List.of(home.resolve("bin/mail-service").toString()))) {
            assertEquals(2, failed.exitCode(), String.join("\n", failed.output()));
        }

        List<String> first = startReloadAndStop(home, variables);
        assertTrue(first.contains(aotCache ? "-XX:AOTMode=record" : "-XX:+AutoCreateSharedArchive"), first.toString());
        assertTrue(first.stream().anyMatch(flag -> flag.startsWith("-Dmailservice.startupCacheReady=")),
                "the first start to get ready did not record: " + first);
        List<String> second = startReloadAndStop(home, variables);
        String used = second.stream().filter(flag -> flag.startsWith(aotCache ? "-XX:AOTCache=" : "-XX:SharedArchiveFile="))
                .findFirst().orElseThrow(() -> new AssertionError("started without the cache: " + second));
        Path cacheFile = Path.of(used.substring(used.indexOf('=') + 1));
        assertMaps(home, used);

        Files.setLastModifiedTime(home.resolve("lib/mail-service.jar"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        List<String> rebuilt = startReloadAndStop(home, variables);
        assertTrue(rebuilt.stream().noneMatch(flag -> flag.contains(cacheFile.toString())), rebuilt.toString());
        assertTrue(Files.notExists(cacheFile), "the cache of the former jar is left behind");
    }

    /**
     * The cache made ahead of the first start, as the container image's build makes it, serves that
     * first start at once (it records nothing), which serves as ever; made once, it is not made again.
     */
    @Test
    void theStartUpCacheMadeAheadServesTheFirstStart() throws Exception {
        Path home = unpack();
        Path cache = directory.resolve("startup-cache");
        Map<String, String> variables = cachedStart(home, cache);

        assertEquals("Start-up cache made in " + cache + ".", makeStartupCache(home, cache).strip());
        Path made;
        try (Stream<Path> files = Files.list(cache)) {
            List<Path> caches = files.filter(file -> file.toString().endsWith(".aot") || file.toString().endsWith(".jsa"))
                    .toList();
            assertEquals(1, caches.size(), caches.toString());
            made = caches.get(0);
        }
        String flag = (made.toString().endsWith(".aot") ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + made;
        assertMaps(home, flag);
        String before = Files.size(made) + " bytes, " + Files.getLastModifiedTime(made);
        List<String> first = startReloadAndStop(home, variables);

        assertTrue(first.contains(flag), "the first start went without the cache made ahead: " + first);
        assertTrue(first.stream().noneMatch(argument -> argument.equals("-XX:AOTMode=record")
                || argument.startsWith("-Dmailservice.startupCacheReady=")), "the first start recorded: " + first);
        // A dynamic archive the start could not map is written again as it stops: the one made ahead must be kept.
        assertEquals(before, Files.size(made) + " bytes, " + Files.getLastModifiedTime(made));
        assertEquals("", makeStartupCache(home, cache), "a cache made already was made again");
    }

    /** Runs {@code bin/make-startup-cache} of the distribution in {@code home} for directory {@code cache}; answers what it wrote. */
    private String makeStartupCache(Path home, Path cache) throws Exception {
        Path output = Files.createTempFile(directory, "make-startup-cache", ".log");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/make-startup-cache").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(Map.of("JAVA_HOME", Path.of(System.getProperty("java.home")).toString(),
                "SERVICE_STARTUP_CACHE_DIR", cache.toString(), "SERVICE_STARTUP_CACHE", "on"));
        Process making = builder.start();
        try {
            boolean ended = making.waitFor(3, TimeUnit.MINUTES);
            assertTrue(ended && making.exitValue() == 0, (ended ? "exit " + making.exitValue() : "still running") + ": "
                    + Files.readString(output));
            return Files.readString(output);
        } finally {
            making.descendants().forEach(ProcessHandle::destroyForcibly);
            making.destroyForcibly();
        }
    }

    /** Told to use the cache {@code flag} names or fail, this JDK takes it for the jar in {@code home}, at the flags it was made with. */
    private static void assertMaps(Path home, String flag) throws Exception {
        List<String> strictCommand = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        strictCommand.addAll(ServiceProcess.deploymentJvmFlags(home.resolve("bin/java-env")));
        strictCommand.addAll(List.of(flag.startsWith("-XX:AOTCache=") ? "-XX:AOTMode=on" : "-Xshare:on", flag,
                "-jar", home.resolve("lib/mail-service.jar").toString(), "version"));
        Process strict = new ProcessBuilder(strictCommand).redirectErrorStream(true).start();
        String strictOutput = new String(strict.getInputStream().readAllBytes());
        assertTrue(strict.waitFor(60, TimeUnit.SECONDS) && strict.exitValue() == 0, strictOutput);
    }

    /**
     * A stop that comes while the start script makes the AOT cache (seconds long, on the start after
     * the one that recorded it) ends the making and the start at once: nothing is left running, no
     * half-made cache is kept, the service does not start. In a container the script is process 1,
     * which the kernel sends no signal it has no trap for; elsewhere the making outlived the script.
     */
    @Test
    @EnabledForJreRange(minVersion = 25)
    void aStopWhileTheStartUpCacheIsMadeEndsTheMakingAndTheStart() throws Exception {
        Path home = unpack();
        Path cache = directory.resolve("startup-cache");
        Map<String, String> variables = cachedStart(home, cache);
        startReloadAndStop(home, variables);

        try (ServiceProcess starting = ServiceProcess.launchCommand(directory, variables,
                List.of(home.resolve("bin/mail-service").toString()))) {
            ProcessHandle making = cacheMaking(starting.pid());
            starting.terminate();

            assertEquals(143, starting.exitCode(), String.join("\n", starting.output()));
            making.onExit().get(10, TimeUnit.SECONDS);
            assertEquals(0, starting.readyLines(), String.join("\n", starting.output()));
        }
        try (Stream<Path> left = Files.list(cache)) {
            List<String> names = left.map(path -> path.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(name -> name.startsWith(".making-") || name.endsWith(".aot")),
                    names.toString());
        }
    }

    /** The JVM that the start script {@code script} runs to make the AOT cache, once it runs. */
    private static ProcessHandle cacheMaking(long script) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> making = ProcessHandle.of(script).stream().flatMap(ProcessHandle::descendants)
                    .filter(process -> process.info().arguments().map(List::of)
                            .filter(arguments -> arguments.contains("-XX:AOTMode=create")).isPresent())
                    .findFirst();
            if (making.isPresent()) {
                return making.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the start script did not make the cache");
    }

    /** The variables of a start of the distribution in {@code home} that keeps its start-up cache in {@code cache}. */
    private static Map<String, String> cachedStart(Path home, Path cache) {
        return Map.of("JAVA_HOME", Path.of(System.getProperty("java.home")).toString(),
                "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", USER_SECRET,
                "SMTP_CONFIG_FILE", home.resolve("config/smtp.json").toString(), "PORT", "0",
                "SERVICE_STARTUP_CACHE_DIR", cache.toString(), "SERVICE_STARTUP_CACHE", "on");
    }

    /** Starts the distribution, checks it serves a reload, stops it; answers its JVM's arguments. */
    private List<String> startReloadAndStop(Path home, Map<String, String> variables) throws Exception {
        try (ServiceProcess service = ServiceProcess.launchCommand(directory, variables,
                        List.of(home.resolve("bin/mail-service").toString()));
                ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET)) {
            HttpResponse<String> reloaded = client.reload();
            assertEquals(200, reloaded.statusCode(), reloaded.body());
            List<String> jvmArguments = List.of(ProcessHandle.of(service.pid()).orElseThrow().info().arguments()
                    .orElseThrow());
            service.terminate();
            assertEquals(143, service.exitCode(), String.join("\n", service.output()));
            assertTrue(service.output().stream().noneMatch(line -> line.contains("[warning]") || line.contains("[error]")),
                    String.join("\n", service.output()));
            return jvmArguments;
        }
    }

    /**
     * An {@code OutOfMemoryError} leaves a JVM in no state to trust: the start script's flags end the process with
     * a status that is not 0, so that systemd's {@code Restart=on-failure} and Kubernetes restart it. Forced with a
     * heap too small for the largest send the route takes (the last {@code -Xmx} given wins).
     */
    @Test
    void anOutOfMemoryErrorEndsTheProcessWithAFailureStatusForItsSupervisorToRestartIt() throws Exception {
        Path home = unpack();
        byte[] random = new byte[7 * 1024 * 1024];
        new Random(7).nextBytes(random);
        String largest = """
                {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"], "templateData": {"name": "A"},
                 "attachments": [{"filename": "large.bin", "content": "%s"}]}""".formatted(
                Base64.getEncoder().encodeToString(random));

        try (ServiceProcess service = ServiceProcess.launchCommand(directory, Map.of(
                        "JAVA_HOME", Path.of(System.getProperty("java.home")).toString(),
                        "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", USER_SECRET,
                        "SMTP_CONFIG_FILE", home.resolve("config/smtp.json").toString(), "PORT", "0"),
                        List.of(home.resolve("bin/mail-service").toString(), "-Xmx28m"));
                ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET)) {
            for (int send = 0; send < 3 && service.isAlive(); send++) {
                try {
                    client.sendEmail(largest);
                } catch (IOException ended) {
                    // the process ended under the send
                }
            }

            assertEquals(3, service.exitCode(), String.join("\n", service.output()));
            assertTrue(service.output().stream().anyMatch(line -> line.contains("Terminating due to "
                    + "java.lang.OutOfMemoryError")), String.join("\n", service.output()));
        }
    }
}
