package dev.mailservice.bootstrap;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.testkit.ServiceProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service as its own process, started by {@link Main} from environment variables. */
class MainProcessTest {


    @TempDir
    Path directory;

    @Test
    void withoutTheSecretsAndWithAMalformedPortItExitsNamingThemAllInOneMessage() throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(directory, Map.of("PORT", "http"))) {
            assertEquals(Main.EXIT_INVALID_SETTINGS, service.exitCode());
            String output = String.join("\n", service.output());
            assertTrue(output.contains("mail-service cannot start: 3 settings are missing or wrong:\n"
                    + "  PORT must be a whole number from 0 to 65535, got 'http'\n  SCOPED_JWT_SECRET is required: "), output);
            assertTrue(output.contains("\n  JWT_SECRET is required: "), output);
            assertTrue(output.contains("make one with: openssl rand -hex 32"), output);
        }
    }

    /**
     * An operator's logging file that sets levels alone, as the docs advise for changing them:
     * the service's own handler stays, and what it writes still reaches standard error.
     */
    @Test
    void aLoggingFileOfLevelsAloneKeepsTheServicesOwnHandler() throws Exception {
        Path levels = Files.writeString(directory.resolve("levels.properties"), "dev.mailservice.level=FINE\n");
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Djava.util.logging.config.file=" + levels,
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Main.class.getName());
        try (ServiceProcess service = ServiceProcess.launchCommand(directory, Map.of("PORT", "http"), command)) {
            assertEquals(Main.EXIT_INVALID_SETTINGS, service.exitCode());
            String output = String.join("\n", service.output());
            assertTrue(output.contains("mail-service cannot start: 3 settings are missing or wrong:"), output);
            assertTrue(output.contains("JWT_SECRET is required"), output);
        }
    }

    @Test
    void aMisspeltCommandExitsWithTheListAndStartsNothing() throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(directory, Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET,
                "JWT_SECRET", SCOPED_SECRET, "SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(), "PORT", "0"),
                "serv")) {
            assertEquals(Main.EXIT_INVALID_SETTINGS, service.exitCode());
            String output = String.join("\n", service.output());
            assertTrue(output.startsWith("Unknown command 'serv'\n\n" + Command.list().strip()), output);
            assertEquals(0, service.readyLines(), output);
        }
    }

    @Test
    void onAnObservePortInUseItExitsWithStatus1SayingThatPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
                ServiceProcess service = ServiceProcess.launch(directory, Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET,
                        "JWT_SECRET", SCOPED_SECRET, "SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(),
                        "PORT", "0", "OBSERVE_PORT", Integer.toString(taken.getLocalPort())))) {
            assertEquals(Main.EXIT_START_FAILED, service.exitCode());
            String output = String.join("\n", service.output());
            assertTrue(output.contains("mail-service cannot start: Cannot listen on the observe port "
                    + taken.getLocalPort() + " (OBSERVE_PORT): it is in use by another process, or not allowed"), output);
        }
    }

    @Test
    void withAShortScopedSecretItExitsNamingTheVariable() throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(directory, Map.of("SCOPED_JWT_SECRET", "only-19-characters!"))) {
            assertEquals(Main.EXIT_INVALID_SETTINGS, service.exitCode());
            String output = String.join("\n", service.output());
            assertTrue(output.contains("SCOPED_JWT_SECRET is too short"), output);
            assertFalse(output.contains("only-19-characters!"), "the secret was printed");
        }
    }

    @Test
    void withEtcdButNoSecretKeyItExitsNamingTheVariable() throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(directory,
                Map.of("SMTP_CONFIG_BACKEND", "etcd", "SCOPED_JWT_SECRET", SCOPED_SECRET))) {
            assertEquals(Main.EXIT_INVALID_SETTINGS, service.exitCode());
            assertTrue(String.join("\n", service.output()).contains("SECRET_KEY is required with SMTP_CONFIG_BACKEND=etcd"),
                    service.output().toString());
        }
    }

    @Test
    void whenTheSecretsMustComeFromAnEtcdThatNeverAnswersItGivesUpSayingWhatItWaitedFor() throws Exception {
        try (ServiceProcess service = launchWaitingForTheSecretsInAnEtcdThatIsDown(Duration.ofSeconds(2))) {
            assertEquals(Main.EXIT_START_FAILED, service.exitCode());
            String output = String.join("\n", service.output());
            String location = "etcd key /services/secretKeys at http://127.0.0.1:" + etcdThatIsDown;
            assertTrue(output.contains("Waiting for the token secrets in " + location), output);
            assertTrue(output.contains("mail-service cannot start: Gave up after 2 s waiting for the token secrets in "
                    + location + " (needed because SCOPED_JWT_SECRET or JWT_SECRET is not set)"), output);
            assertFalse(output.contains("stopped before it was assembled"), "a start that failed is no stop: " + output);
        }
    }

    /**
     * A SIGTERM while the start waits for the backend (an etcd that takes connections and never
     * answers): the stop runs, says so, and the port is never opened after it.
     */
    @Test
    void aSigtermWhileTheStartWaitsForTheBackendStopsItBeforeThePortOpens() throws Exception {
        try (ServerSocket silentEtcd = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServiceProcess service = ServiceProcess.launch(directory, Map.of("SMTP_CONFIG_BACKEND", "etcd",
                        "SECRET_KEY", "deployment-key", "ETCD_HOST", "http://127.0.0.1",
                        "ETCD_PORT", Integer.toString(silentEtcd.getLocalPort()), "ETCD_DIAL_TIMEOUT", "20000",
                        "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", SCOPED_SECRET, "PORT", "0"))) {
            silentEtcd.setSoTimeout(60_000);
            try (Socket waitedFor = silentEtcd.accept()) {
                // The start's first read of the backend is under way.
                service.terminate();

                assertEquals(143, service.exitCode(), service.output().toString());
            }
            assertTrue(service.output().stream().anyMatch(line -> line.contains("Mail service stopped")),
                    service.output().toString());
            assertEquals(0, service.readyLines(), service.output().toString());
        }
    }

    /** The port {@link #launchWaitingForTheSecretsInAnEtcdThatIsDown} gave etcd, where nothing listens. */
    private int etcdThatIsDown;

    /** The service on etcd with no token secrets of its own: it waits up to {@code wait} for them. */
    private ServiceProcess launchWaitingForTheSecretsInAnEtcdThatIsDown(Duration wait) throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            etcdThatIsDown = socket.getLocalPort();
        }
        return ServiceProcess.launch(directory, Map.of("SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", "deployment-key",
                "ETCD_HOST", "http://127.0.0.1", "ETCD_PORT", Integer.toString(etcdThatIsDown), "ETCD_DIAL_TIMEOUT", "300",
                "ETCD_SECRETS_WAIT_MS", Long.toString(wait.toMillis())));
    }

    @Test
    void aSigtermWhileTheStartWaitsForTheTokenSecretsSaysItStopped() throws Exception {
        try (ServiceProcess service = launchWaitingForTheSecretsInAnEtcdThatIsDown(Duration.ofMinutes(1))) {
            service.awaitLine(line -> line.contains("Waiting for the token secrets"), Duration.ofSeconds(60));

            service.terminate();

            assertEquals(143, service.exitCode(), service.output().toString());
            assertTrue(service.output().stream().anyMatch(line -> line.contains(
                    "Mail service stopped before it was assembled")), service.output().toString());
        }
    }

    @Test
    void onAPortInUseItExitsWithStatus1SayingWhichPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
                ServiceProcess service = ServiceProcess.launch(directory, Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET,
                        "JWT_SECRET", SCOPED_SECRET, "SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(),
                        "PORT", Integer.toString(taken.getLocalPort())))) {
            assertEquals(Main.EXIT_START_FAILED, service.exitCode());
            String output = String.join("\n", service.output());
            assertTrue(output.contains("mail-service cannot start: Cannot listen on port " + taken.getLocalPort()
                    + ": it is in use by another process, or not allowed"), output);
            assertEquals(0, service.readyLines(), output);
        }
    }

    @Test
    void temporaryFilesOfSavesCutShortByAKillHoldThePasswordForTheOwnerOnlyAndAreRemovedAtTheNextStart()
            throws Exception {
        Path config = directory.resolve("conf").resolve("smtp.json");
        Map<String, String> environment = Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", SCOPED_SECRET,
                "SMTP_CONFIG_FILE", config.toString(), "PORT", "0");
        String password = "Killed-Pa55word";
        try (ServiceProcess service = ServiceProcess.launch(directory, environment)) {
            int port = service.awaitReadyPort();
            try (ExecutorService savers = Executors.newVirtualThreadPerTaskExecutor();
                    ServiceClient client = new ServiceClient(port, SCOPED_SECRET, SCOPED_SECRET)) {
                for (int i = 0; i < 4; i++) {
                    int saver = i;
                    savers.submit(() -> {
                        for (int save = 0; ; save++) {
                            client.storeConfiguration("{\"host\": \"smtp.example.com\", \"port\": " + (1000 + save)
                                    + ", \"username\": \"ops" + saver + "\", \"password\": \"" + password
                                    + "\", \"fromEmail\": \"noreply@example.com\"}");
                        }
                    });
                }
                Thread.sleep(1500);
                service.kill();
                service.exitCode();
                savers.shutdownNow();
            }
        }
        // What the kill left: the configuration, and maybe a temporary file of a save cut short.
        try (Stream<Path> files = Files.list(config.getParent())) {
            for (Path file : files.toList()) {
                assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file),
                        file + " is readable by others");
            }
        }
        // Such a file, whether or not this run happened to leave one, for the next start to remove.
        Path leftover = config.resolveSibling(".smtp.json4242424242.tmp");
        Files.writeString(leftover, "{\"password\": \"" + password + "\"}");

        try (ServiceProcess service = ServiceProcess.launch(directory, environment)) {
            service.awaitReadyPort();
            try (Stream<Path> files = Files.list(config.getParent())) {
                assertEquals(List.of(config), files.toList(), "a temporary file holding the password was left");
            }
        }
    }

    @Test
    void servesTheReloadRouteAndStopsCleanlyOnSigterm() throws Exception {
        Path config = directory.resolve("smtp.json");
        Files.writeString(config, "{\"host\": \"127.0.0.1\", \"port\": 2525, \"fromEmail\": \"noreply@example.com\"}");
        try (ServiceProcess service = ServiceProcess.launch(directory,
                Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", SCOPED_SECRET, "SMTP_CONFIG_FILE", config.toString(),
                        "PORT", "0"))) {
            try (ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET)) {
                assertEquals(200, client.reload().statusCode());
            }

            service.terminate();

            assertEquals(143, service.exitCode(), "a JVM ended by SIGTERM exits with 128 + 15: " + service.output());
            assertTrue(service.output().stream().anyMatch(line -> line.contains("Mail service stopped")),
                    service.output().toString());
            assertEquals(1, service.readyLines(), service.output().toString());
            assertFalse(service.output().stream().anyMatch(line -> line.contains("Exception")), service.output().toString());
        }
    }
}
