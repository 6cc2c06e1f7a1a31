package dev.mailservice.bootstrap;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;

import dev.mailservice.testkit.LogCapture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole service as {@link Main#assemble} builds it, started in the test's JVM on a free port,
 * for the end-to-end tests. Register one per test instance:
 *
 * <pre>{@code @RegisterExtension final AssembledService service = new AssembledService(PASSWORD);}</pre>
 *
 * <p>It captures every log line of the test. After the test it stops the service and fails if any
 * answer (but the full view meant for services) showed one of the passwords, or any log line a
 * password or a token secret the service ran with.
 */
public final class AssembledService implements BeforeEachCallback, AfterEachCallback {

    private final List<String> passwords;
    /** Every logger's records while a test runs, from before the service is assembled. */
    private LogCapture log;
    private final List<String> tokenSecrets = new ArrayList<>();
    private MailServiceRuntime runtime;
    private ServiceClient client;

    /** @param passwords SMTP passwords the test stores, which no answer or log line may show */
    public AssembledService(String... passwords) {
        this.passwords = List.of(passwords);
    }

    /**
     * Assembles and starts the service with {@code variables} laid over the defaults ({@code PORT=0},
     * {@code SHUTDOWN_GRACE_MS=0}, and the two token secrets above); a null value removes a default. Returns a client holding
     * tokens signed with the secrets the service runs with.
     */
    public ServiceClient start(Map<String, String> variables) {
        if (runtime != null) {
            throw new IllegalStateException("the service is already running");
        }
        Map<String, String> environment = new HashMap<>(Map.of("PORT", "0", HttpSettings.SHUTDOWN_GRACE_MS, "0",
                TokenSettings.SCOPED_JWT_SECRET, SCOPED_SECRET, TokenSettings.JWT_SECRET, USER_SECRET));
        variables.forEach((name, value) -> {
            if (value == null) {
                environment.remove(name);
            } else {
                environment.put(name, value);
            }
        });
        runtime = Main.assemble(Settings.fromEnvironment(environment)).start();
        Stream.of(TokenSettings.SCOPED_JWT_SECRET, TokenSettings.JWT_SECRET).map(environment::get).forEach(secret -> {
            if (secret != null) {
                tokenSecrets.add(secret);
            }
        });
        client = new ServiceClient(runtime.port(),
                environment.getOrDefault(TokenSettings.SCOPED_JWT_SECRET, SCOPED_SECRET),
                environment.getOrDefault(TokenSettings.JWT_SECRET, USER_SECRET));
        return client;
    }

    /** The port of the API's routes. */
    public int port() {
        return runtime.port();
    }

    /** The port of the observe endpoints: the API's unless {@code OBSERVE_PORT} set one of their own. */
    public int observePort() {
        return runtime.observePort();
    }

    ServiceClient client() {
        return client;
    }

    /** Every log line written so far in this test, formatted as the service writes them. */
    public List<String> logLines() {
        return log.fullLines();
    }

    /** Fails if any log line so far shows one of {@code secrets}. */
    public void assertNoLogLineShows(List<String> secrets) {
        List<String> logLines = logLines();
        if (logLines.isEmpty()) {
            throw new AssertionError("no log line was captured, so checking them for secrets proves nothing");
        }
        for (String line : logLines) {
            for (String secret : secrets) {
                if (line.contains(secret)) {
                    throw new AssertionError("a log line shows a secret: " + line);
                }
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        log = LogCapture.all();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (runtime != null) {
                client.close();
                runtime.stop();
                passwords.forEach(client::assertNoAnswerShows);
                List<String> secrets = new ArrayList<>(passwords);
                secrets.addAll(tokenSecrets);
                assertNoLogLineShows(secrets);
            }
        } finally {
            log.close();
        }
    }
}
