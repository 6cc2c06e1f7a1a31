package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.http.Tokens;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service as its own process, started by {@link Main} from environment variables. */
class MainProcessTest {

    private static final String SECRET = "a1B2c3D4e5F6g7H8i9J0";
    private static final Pattern READY = Pattern.compile("Mail service ready on port (\\d+)");

    @TempDir
    Path directory;

    private Process process;
    private Thread outputReader;
    private final List<String> output = new CopyOnWriteArrayList<>();

    @AfterEach
    void killLeftovers() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private Process launch(Map<String, String> variables) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", classPath, Main.class.getName())
                .directory(directory.toFile())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("SMTP_") || name.equals("PORT")
                || name.endsWith("JWT_SECRET"));
        builder.environment().putAll(variables);
        process = builder.start();
        outputReader = Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (Exception ended) {
                // the process is gone
            }
        });
        return process;
    }

    private int exitCode() throws Exception {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the process did not end: " + output);
        outputReader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    private int awaitReadyPort() throws Exception {
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

    @Test
    void withoutTheScopedSecretItExitsNamingTheVariable() throws Exception {
        launch(Map.of());

        assertEquals(Main.EXIT_INVALID_SETTINGS, exitCode());
        assertTrue(String.join("\n", output).contains("SCOPED_JWT_SECRET is required"), output.toString());
    }

    @Test
    void withAShortScopedSecretItExitsNamingTheVariable() throws Exception {
        launch(Map.of("SCOPED_JWT_SECRET", "only-19-characters!"));

        assertEquals(Main.EXIT_INVALID_SETTINGS, exitCode());
        assertTrue(String.join("\n", output).contains("SCOPED_JWT_SECRET is too short"), output.toString());
        assertFalse(String.join("\n", output).contains("only-19-characters!"), "the secret was printed");
    }

    @Test
    void servesTheReloadRouteAndStopsCleanlyOnSigterm() throws Exception {
        Path config = directory.resolve("smtp.json");
        Files.writeString(config, "{\"host\": \"127.0.0.1\", \"port\": 2525, \"fromEmail\": \"noreply@example.com\"}");
        launch(Map.of("SCOPED_JWT_SECRET", SECRET, "SMTP_CONFIG_FILE", config.toString(), "PORT", "0"));
        int port = awaitReadyPort();

        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/v1/mail/updateSmtpConfig"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Bearer " + Tokens.scoped(SECRET, "fetch:config"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
        }
        // SIGTERM through the handle: Process.destroy() would also close our end of its output.
        process.toHandle().destroy();

        int exitCode = exitCode();
        assertEquals(143, exitCode, "a JVM ended by SIGTERM exits with 128 + 15: " + output);
        assertTrue(output.stream().anyMatch(line -> line.contains("Mail service stopped")), output.toString());
        assertEquals(1, output.stream().filter(line -> READY.matcher(line).find()).count(), output.toString());
        assertFalse(output.stream().anyMatch(line -> line.contains("Exception")), output.toString());
    }
}
