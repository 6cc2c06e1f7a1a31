package dev.mailservice.bootstrap.distribution;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.ServiceProcess;
import dev.mailservice.testkit.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, started with {@code java -jar} as the README says, on the file backend. */
class PackagedJarIT {

    private static final String PASSWORD = "Jar-Pa55word";

    @TempDir
    Path directory;

    @Test
    void tellsItsVersionAndItsCommands() throws Exception {
        Path jar = Path.of(System.getProperty("service.jar"));
        String java = ProcessHandle.current().info().command().orElse("java");

        try (ServiceProcess version = ServiceProcess.launchCommand(directory, Map.of(),
                List.of(java, "-jar", jar.toString(), "version"));
                ServiceProcess help = ServiceProcess.launchCommand(directory, Map.of(),
                        List.of(java, "-jar", jar.toString(), "--help"))) {
            assertEquals(0, version.exitCode(), version.output().toString());
            assertEquals(List.of(System.getProperty("service.version")), version.output());
            assertEquals(0, help.exitCode(), help.output().toString());
            assertTrue(help.output().stream().anyMatch(line -> line.startsWith("  version ")), help.output().toString());
        }
    }

    @Test
    void servesTheReloadRouteFollowingTheFileAndStopsOnSigterm() throws Exception {
        Path jar = Path.of(System.getProperty("service.jar"));
        Path config = directory.resolve("smtp.json");
        Files.writeString(config, """
                {"host": "smtp.example.com", "port": 587, "username": "ops", "password": "%s",
                 "fromEmail": "noreply@example.com"}""".formatted(PASSWORD));

        try (ServiceProcess service = ServiceProcess.launchJar(directory, Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET,
                        "JWT_SECRET", USER_SECRET, "SMTP_CONFIG_FILE", config.toString(), "PORT", "0"), jar, List.of());
                ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET)) {
            HttpResponse<String> reloaded = client.reload();
            assertEquals(200, reloaded.statusCode(), reloaded.body());
            assertEquals("application/json", reloaded.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":{\"host\":\"smtp.example.com\","
                    + "\"port\":587,\"username\":\"ops\",\"fromEmail\":\"noreply@example.com\"}}", reloaded.body());

            Files.writeString(config, Files.readString(config).replace("587", "2525"));
            assertTrue(client.reload().body().contains("\"port\":2525"), "the reload did not follow the file");

            HttpResponse<String> badToken = client.call("POST", "/api/v1/mail/updateSmtpConfig",
                    Tokens.scoped("another-secret-of-20+", "fetch:config"), null);
            assertEquals(401, badToken.statusCode());
            assertEquals("{\"error\":{\"code\":\"HTTP_UNAUTHORIZED\",\"message\":\"Invalid token\"}}", badToken.body());

            Files.writeString(config, "{\"host\": \"smtp.example.com\", \"port\": ");
            HttpResponse<String> malformed = client.reload();
            assertEquals(400, malformed.statusCode(), malformed.body());
            assertTrue(malformed.body().startsWith("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"The SMTP "
                    + "configuration in file "), malformed.body());
            assertTrue(client.status().contains("\"port\":2525"), "the previous configuration was lost");

            service.terminate();
            assertEquals(143, service.exitCode(), "a JVM ended by SIGTERM exits with 128 + 15: " + service.output());
            client.assertNoAnswerShows(PASSWORD);
            assertFalse(String.join("\n", service.output()).contains(PASSWORD), "a log line showed the password");
        }
    }
}
