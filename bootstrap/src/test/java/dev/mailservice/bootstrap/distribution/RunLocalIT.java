package dev.mailservice.bootstrap.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bootstrap/bin/run-local} as a newcomer runs it, on each backend, with the jar already
 * built ({@code --no-build}): every curl it prints works as printed, the mail sent is readable the
 * way it says, the printed change is applied with no call, and an interrupt (Ctrl-C) leaves
 * nothing it started listening.
 */
class RunLocalIT {

    private static final Pattern PORT_IN_URL = Pattern.compile("127\\.0\\.0\\.1:(\\d+)|-p (\\d+)");

    private Path output;

    /** Runs one printed command with bash, as a user pasting it would, and returns what it printed. */
    private static String run(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), command);
        assertEquals(0, process.exitValue(), command + " printed " + printed);
        return printed;
    }

    private List<String> printedLines() {
        try {
            return Files.readAllLines(output).stream().map(String::strip).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The printed command that starts with {@code start}. */
    private String printed(String start) {
        return printedLines().stream().filter(line -> line.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("run-local printed no '" + start + "': " + printedLines()));
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /**
     * Starts run-local on {@code backend} with {@code options}, its configuration file in {@code
     * directory}, and waits until it printed its curls.
     */
    private Process start(String backend, Path directory, int servicePort, int smtpPort, String... options)
            throws Exception {
        output = directory.resolve("run-local.out");
        List<String> command = new ArrayList<>(List.of("bash", "bin/run-local", "--backend", backend, "--no-build"));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("SMTP_") || name.startsWith("REDIS_")
                || name.startsWith("ETCD_") || name.endsWith("JWT_SECRET") || name.equals("SECRET_KEY"));
        builder.environment().putAll(Map.of("JAVA_HOME", System.getProperty("java.home"), "PORT",
                Integer.toString(servicePort), "LOCAL_SMTP_PORT", Integer.toString(smtpPort),
                "SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString()));
        Process script = builder.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (printedLines().stream().noneMatch(line -> line.startsWith("The tokens are valid for one hour"))) {
            if (!script.isAlive() || System.nanoTime() >= deadline) {
                interrupt(script);
                throw new AssertionError("run-local ended or printed no curls: " + printedLines());
            }
            Thread.sleep(200);
        }
        return script;
    }

    /** Ctrl-C, and waits for run-local to end. */
    private static void interrupt(Process script) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(script.pid())).start().waitFor();
        assertTrue(script.waitFor(60, TimeUnit.SECONDS), "run-local did not stop on Ctrl-C");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "etcd", "redis"})
    void everyPrintedCommandWorksAndCtrlCStopsEverything(String backend, @TempDir Path directory)
            throws Exception {
        int servicePort = FreePorts.pick();
        int smtpPort = FreePorts.pick();
        Process script = start(backend, directory, servicePort, smtpPort);
        List<Integer> ports = new ArrayList<>(List.of(servicePort, smtpPort));
        try {
            assertTrue(printedLines().stream().noneMatch(line -> line.startsWith("Warning:")), printedLines().toString());
            assertTrue(run(printed("curl -s -X POST http://localhost:" + servicePort + "/api/v1/mail/updateSmtpConfig"))
                    .contains("SMTP configuration updated successfully"));
            String status = printed("curl -s http://localhost:" + servicePort + "/api/v1/mail/smtpConfig");
            assertTrue(run(status).contains("\"source\":\"" + backend + "\""));
            assertEquals("{\"data\":{\"status\":true,\"data\":\"Email sent\"}}",
                    run(printed("curl -s -X POST http://localhost:" + servicePort + "/api/v1/mail/emails/sendEmail")));
            String readMail = printed("curl -s http://127.0.0.1:");
            String mails = run(readMail);
            assertTrue(mails.contains("\"subject\"") && mails.contains("123456"), "the mail cannot be read: " + mails);
            Matcher apiPort = PORT_IN_URL.matcher(readMail);
            assertTrue(apiPort.find());
            ports.add(Integer.parseInt(apiPort.group(1)));

            if (!backend.equals("file")) {
                String change = printedLines().get(printedLines().indexOf("Change the stored configuration and watch the "
                        + "service apply it by itself (the status shows it):") + 2);
                Matcher storePort = PORT_IN_URL.matcher(change);
                assertTrue(storePort.find(), change);
                ports.add(Integer.parseInt(storePort.group(1) != null ? storePort.group(1) : storePort.group(2)));
                run(change);
                long applied = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!run(status).contains("changed@example.com")) {
                    assertTrue(System.nanoTime() < applied, "the printed change was not applied: " + run(status));
                    Thread.sleep(100);
                }
            }
        } finally {
            interrupt(script);
        }
        for (int port : ports) {
            assertFalse(listening(port), "port " + port + " is still listening after Ctrl-C: " + printedLines());
        }
    }

    /**
     * A configuration stored elsewhere (as the worked example in docs/api.md leaves one) is kept, with
     * a warning before the start that names where it points and how to return to the capture server;
     * {@code --reset-config} returns to it.
     */
    @Test
    void aStoredConfigurationPointingElsewhereIsWarnedOfAndResetConfigReturnsToTheCaptureServer(
            @TempDir Path directory) throws Exception {
        int servicePort = FreePorts.pick();
        int smtpPort = FreePorts.pick();
        Path configuration = directory.resolve("smtp.json");
        Files.writeString(configuration, "{\"host\": \"smtp.sendgrid.net\", \"port\": 587, \"username\": \"apikey\", "
                + "\"password\": \"SG.xxx\", \"fromEmail\": \"noreply@example.com\"}");

        Process elsewhere = start("file", directory, servicePort, smtpPort);
        interrupt(elsewhere);
        List<String> warned = printedLines();
        int warning = warned.indexOf("Warning: " + configuration + " points at smtp.sendgrid.net:587, not at the capture SMTP");
        assertTrue(warning >= 0, "no warning: " + warned);
        assertTrue(warning < warned.indexOf("The service is running on port " + servicePort
                + ", on the file backend. Reload the stored configuration:"), "warned only after the start: " + warned);
        assertTrue(String.join(" ", warned).contains("To return to the capture server, run bootstrap/bin/run-local "
                + "--reset-config (or delete " + configuration + ")"), warned.toString());
        assertTrue(warned.stream().noneMatch(line -> line.startsWith("curl -s http://127.0.0.1:")), warned.toString());
        assertFalse(listening(smtpPort), "a capture server ran");

        Process reset = start("file", directory, servicePort, smtpPort, "--reset-config");
        try {
            assertTrue(printedLines().stream().noneMatch(line -> line.startsWith("Warning:")), printedLines().toString());
            assertTrue(Files.readString(configuration).contains("\"port\": " + smtpPort), Files.readString(configuration));
            assertTrue(listening(smtpPort), "no capture server runs: " + printedLines());
        } finally {
            interrupt(reset);
        }
    }
}
