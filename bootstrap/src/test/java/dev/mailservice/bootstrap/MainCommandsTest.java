package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.mailservice.adapters.config.AesGcmCipher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The jar's commands other than serve, run in the test's JVM on their own streams and environment. */
class MainCommandsTest {

    private static final String SECRET_KEY = "deployment-key-of-the-test";
    private static final String CONFIGURATION =
            "{\"host\":\"smtp.example.com\",\"port\":587,\"password\":\"Cmd-Pa55-never-shown\"}";

    /** What a command did: its exit status and what it wrote. */
    private record Run(int status, String out, String err) {}

    private static Run run(Map<String, String> environment, String input, String... words) {
        return run(environment, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), words);
    }

    private static Run run(Map<String, String> environment, InputStream input, String... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Command.execute(List.of(words), new Command.Terminal(environment, input,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommandOnALineOfItsOwn() {
        Run help = run(Map.of(), "", "help");

        assertEquals(0, help.status());
        assertEquals("", help.err());
        for (String command : List.of("serve", "encrypt", "decrypt", "console-link", "version", "help")) {
            assertEquals(1, help.out().lines().filter(line -> line.startsWith("  " + command + " ")).count(),
                    command + " is not on one line: " + help.out());
        }
        assertEquals(help, run(Map.of(), "", "--help"));
        assertEquals(help, run(Map.of(), "", "-h"));
    }

    @Test
    void anUnknownCommandOrAnArgumentToACommandThatTakesNoneIsRefusedWithTheList() {
        Run unknown = run(Map.of("SECRET_KEY", SECRET_KEY), "", "encrpyt");

        assertEquals(Main.EXIT_INVALID_SETTINGS, unknown.status());
        assertEquals("", unknown.out());
        assertTrue(unknown.err().startsWith("Unknown command 'encrpyt'\n\n" + Command.list()), unknown.err());

        Run extra = run(Map.of("SECRET_KEY", SECRET_KEY), CONFIGURATION, "encrypt", "now");
        assertEquals(Main.EXIT_INVALID_SETTINGS, extra.status());
        assertEquals("", extra.out(), "it encrypted all the same");
        assertTrue(extra.err().startsWith("encrypt takes no arguments\n"), extra.err());
    }

    @Test
    void whatEncryptPrintsDecryptsBackToTheValueAndIsStoredAsPipesHubStoresIt() throws Exception {
        Map<String, String> environment = Map.of("SECRET_KEY", SECRET_KEY);

        Run encrypted = run(environment, CONFIGURATION + "\n", "encrypt");

        assertEquals(0, encrypted.status(), encrypted.err());
        assertTrue(encrypted.out().matches("[0-9a-f]{24}:[0-9a-f]+:[0-9a-f]{32}\n"), encrypted.out());
        assertEquals(CONFIGURATION, new AesGcmCipher(SECRET_KEY).decrypt(encrypted.out()));
        Run decrypted = run(environment, encrypted.out(), "decrypt");
        assertEquals(new Run(0, CONFIGURATION + "\n", ""), decrypted);
    }

    @Test
    void aWrongKeyOrMalformedInputIsRefusedShowingNothingOfTheSecrets() {
        String stored = new AesGcmCipher(SECRET_KEY).encrypt(CONFIGURATION);
        String wrongKey = "another-deployment-key";

        Run withWrongKey = run(Map.of("SECRET_KEY", wrongKey), stored, "decrypt");
        assertEquals(new Run(Main.EXIT_INVALID_SETTINGS, "", "decrypt: standard input cannot be decrypted: authentication "
                + "failed: SECRET_KEY is not the key it was encrypted with, or the value was altered\n"), withWrongKey);

        Run malformed = run(Map.of("SECRET_KEY", SECRET_KEY), "Cmd-Pa55-never-shown", "decrypt");
        assertEquals(Main.EXIT_INVALID_SETTINGS, malformed.status());
        assertEquals("", malformed.out());
        assertEquals("decrypt: standard input cannot be decrypted: it is not in the form hex(iv):hex(ciphertext):hex(tag)\n",
                malformed.err());

        for (String command : List.of("encrypt", "decrypt")) {
            Run withoutKey = run(Map.of(), stored, command);
            assertEquals(new Run(Main.EXIT_INVALID_SETTINGS, "", command
                    + ": set SECRET_KEY to the key PipesHub encrypts its stored values with\n"), withoutKey);
        }
        assertEquals(new Run(Main.EXIT_INVALID_SETTINGS, "", "encrypt: standard input is empty; give it the value to "
                + "encrypt\n"), run(Map.of("SECRET_KEY", SECRET_KEY), " \n", "encrypt"));
    }

    @Test
    void anyOtherFailureExitsWith1SayingWhatFailedOnOneLine() {
        InputStream unreadable = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Input/output error");
            }
        };

        assertEquals(new Run(Main.EXIT_START_FAILED, "", "encrypt failed: standard input cannot be read: Input/output "
                + "error\n"), run(Map.of("SECRET_KEY", SECRET_KEY), unreadable, "encrypt"));
    }

    /** A command that assembles part of the service (console-link) reports what a provider threw, not Guice's report. */
    @Test
    void aProvidersFailureIsHandedOnAsItWasThrown() {
        IllegalStateException thrown = new IllegalStateException("Cannot set up the trusted certificate authorities");

        RuntimeException handedOn = assertThrows(RuntimeException.class, () -> Main.unwrapped(() -> Guice.createInjector(
                binder -> binder.bind(String.class).toProvider(() -> {
                    throw thrown;
                })).getInstance(String.class)));

        assertSame(thrown, handedOn);
    }
}
