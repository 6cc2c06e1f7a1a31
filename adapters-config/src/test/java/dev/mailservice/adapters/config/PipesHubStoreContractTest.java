package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.LogCapture;
import dev.mailservice.testkit.NodeCryptoVector;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link KeyValueConfigRepository} promises on each of PipesHub's key-value stores, beside the
 * contract of every repository: PipesHub's encryption, a real server's faults, a watch that
 * survives a restart. A subclass gives the store and the server.
 */
abstract class PipesHubStoreContractTest extends ConfigRepositoryContractTest {

    static final String SECRET_KEY = "test-secret-key";
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The JDK's own certificate authorities, as a deployment without {@code TLS_CA_FILE} trusts. */
    static final TrustManagerFactory JDK_TRUST = jdkTrust();

    final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);
    private PipesHubStore store;
    private KeyValueConfigRepository repository;

    private static TrustManagerFactory jdkTrust() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init((KeyStore) null);
            return trust;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A store on the test server, calls bounded by {@code timeout}. */
    abstract PipesHubStore connect(Duration timeout) throws Exception;

    /** A store on a port where nothing listens. */
    abstract PipesHubStore connectNowhere(int closedPort, Duration timeout);

    /** What the store says of a server that refuses the connection, with a timeout of 500 ms. */
    abstract String unreachableReason();

    /** Writes {@code value} at {@code path} as PipesHub writes it (and announces it, where PipesHub does). */
    abstract void putRaw(String path, String value) throws Exception;

    /** Deletes what is stored at {@code path}. */
    abstract void deleteRaw(String path) throws Exception;

    abstract void stopServer() throws Exception;

    abstract void startServer() throws Exception;

    @BeforeEach
    void connectRepository() throws Exception {
        deleteRaw(KeyValueConfigRepository.PATH);
        store = connect(TIMEOUT);
        repository = new KeyValueConfigRepository(store, cipher);
    }

    @AfterEach
    void closeRepository() {
        repository.close();
    }

    PipesHubStore store() {
        return store;
    }

    @Override
    boolean watchAnnouncesItsStart() {
        return true;
    }

    @Override
    ConfigRepository repository() {
        return repository;
    }

    @Override
    void storeRaw(String document) throws Exception {
        putRaw(KeyValueConfigRepository.PATH, cipher.encrypt(document));
    }

    @Test
    void servesAValueEncryptedByNodeCryptoAsPipesHubWritesIt() throws Exception {
        NodeCryptoVector vector = NodeCryptoVector.read();
        putRaw(KeyValueConfigRepository.PATH, vector.value());
        KeyValueConfigRepository withNodeKey = new KeyValueConfigRepository(store, new AesGcmCipher(vector.secretKey()));

        assertEquals(NodeCryptoVector.PASSWORD,
                withNodeKey.load().orElseThrow().configuration().password().orElseThrow().reveal());
    }

    @Test
    void aSavedValueIsEncryptedInPipesHubsFormatAndNodeCanReadIt() throws Exception {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, "ops", SECRET, "noreply@example.com", false);
        repository.save(configuration, OpaqueFields.NONE, repository.currentRevision());

        String stored = store.value(KeyValueConfigRepository.PATH).orElseThrow();
        assertTrue(stored.matches("[0-9a-f]{24}:[0-9a-f]+:[0-9a-f]{32}"), stored);
        assertEquals(configuration, ConfigurationDocument.parse(
                NodeCrypto.decrypt(stored, SECRET_KEY).getBytes(StandardCharsets.UTF_8), "what Node decrypted", 0)
                .configuration());
    }

    @Test
    void aWrongSecretKeyIsAnInvalidConfigurationThatSaysSo() throws Exception {
        storeRaw(VALID_DOCUMENT);
        KeyValueConfigRepository wrongKey = new KeyValueConfigRepository(store, new AesGcmCipher("not-the-key"));

        InvalidInput refusal = assertThrows(InvalidInput.class, wrongKey::load);

        assertTrue(refusal.getMessage().startsWith("The SMTP configuration in " + repository.location()),
                refusal.getMessage());
        assertTrue(refusal.getMessage().contains("cannot be decrypted: authentication failed"), refusal.getMessage());
    }

    @Test
    void aTamperedValueIsAnInvalidConfigurationThatSaysSo() throws Exception {
        String[] parts = cipher.encrypt(VALID_DOCUMENT).split(":");
        putRaw(KeyValueConfigRepository.PATH,
                parts[0] + ":" + (parts[1].startsWith("0") ? "1" : "0") + parts[1].substring(1) + ":" + parts[2]);

        InvalidInput refusal = assertThrows(InvalidInput.class, repository::load);

        assertTrue(refusal.getMessage().contains("cannot be decrypted"), refusal.getMessage());
    }

    @Test
    void aPlainTextValueIsAnInvalidConfiguration() throws Exception {
        putRaw(KeyValueConfigRepository.PATH, VALID_DOCUMENT);

        InvalidInput refusal = assertThrows(InvalidInput.class, repository::load);

        assertTrue(refusal.getMessage().contains("is not in the form hex(iv):hex(ciphertext):hex(tag)"), refusal.getMessage());
    }

    @Test
    void anUnreachableServerIsUnavailableWithinTheTimeout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (PipesHubStore nowhere = connectNowhere(closedPort, Duration.ofMillis(500))) {
            KeyValueConfigRepository unreachable = new KeyValueConfigRepository(nowhere, cipher);

            // A guard against a hang, not a speed target.
            BackendUnavailable error = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(BackendUnavailable.class, unreachable::load));

            assertTrue(error.getMessage().endsWith(": " + unreachableReason()), error.getMessage());
            assertFalse(error.getMessage().contains(Integer.toString(closedPort)), "an answer names the store's address");
        }
    }

    /**
     * Waits until the repository reads again after the server's restart: its client may still be
     * waiting out a reconnection back-off of several seconds.
     */
    private void awaitReadable() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                repository.load();
                return;
            } catch (BackendUnavailable stillReconnecting) {
                if (System.nanoTime() > deadline) {
                    throw stillReconnecting;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void aWriteThatFailedWhileTheServerWasDownNeverLandsOnceItIsBack() throws Exception {
        storeRaw(VALID_DOCUMENT);
        long read = repository.currentRevision();
        Duration timeout = Duration.ofMillis(1000);
        try (PipesHubStore shortTimeout = connect(timeout)) {
            KeyValueConfigRepository writer = new KeyValueConfigRepository(shortTimeout, cipher);
            writer.currentRevision();
            writer.load(); // connected, as a service is when its store goes down
            stopServer();
            try {
                assertThrows(BackendUnavailable.class, () -> writer.save(
                        SmtpConfiguration.of("lost.example.com", 25, null, null, "lost@example.com", false), OpaqueFields.NONE, read));
            } finally {
                startServer();
            }
            awaitReadable();
            // The longest a client could hold the write is its timeout and a second more; watch
            // for that and 5 s beyond, with the writer still open.
            long until = System.nanoTime() + timeout.plusSeconds(1 + 5).toNanos();
            while (System.nanoTime() < until) {
                assertEquals(587, repository.load().orElseThrow().configuration().port(), "the failed write landed");
                Thread.sleep(100);
            }
            assertEquals(read, repository.currentRevision());
        }
    }

    @Test
    void aWatchAnnouncesItsOwnStartSoThatAChangeMissedBeforeItIsReadAgain() throws Exception {
        AtomicInteger announcements = new AtomicInteger();

        try (ConfigRepository.Subscription ignored = repository.watch(announcements::incrementAndGet)) {
            eventually(() -> announcements.get() > 0, "the established watch was not announced");
        }
    }

    /**
     * A watch opened while the server is down (the service started before it) starts once the
     * server is up: announced as a start, not as a lost watch that came back, which the log and
     * the resumption count would otherwise tell of something that never ran.
     */
    @Test
    void aWatchOpenedWhileTheServerIsDownStartsWhenItIsUpAndIsNoResumption() throws Exception {
        CountingListener listener = new CountingListener();
        stopServer();
        boolean restarted = false;
        try (LogCapture log = LogCapture.all();
                ConfigRepository.Subscription ignored = repository.watch(listener)) {
            Thread.sleep(1_500);
            startServer();
            restarted = true;

            eventually(() -> listener.announcements.get() > 0, "the watch did not start once the server was up");
            assertEquals(0, listener.resumptions.get(), "a watch that never ran was counted as resumed");
            assertEquals(List.of(), log.lines().stream()
                    .filter(line -> line.contains("Lost the") || line.contains("is back")).toList());
        } finally {
            if (!restarted) {
                startServer();
            }
        }
    }

    @Test
    void theWatchResumesAfterTheServerRestartsAndAnnouncesTheResumption() throws Exception {
        storeRaw(VALID_DOCUMENT);
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository.watch(announcements::incrementAndGet)) {
            awaitWatching(announcements);
            int beforeOutage = announcements.get();

            stopServer();
            startServer();

            eventually(() -> announcements.get() > beforeOutage, "the resumed watch was not announced");
            awaitQuiet(announcements);
            int afterResume = announcements.get();
            storeRaw(VALID_DOCUMENT.replace("587", "2525"));
            eventually(() -> announcements.get() > afterResume, "a change after the outage was not announced");
            assertEquals(2525, repository.load().orElseThrow().configuration().port());
        }
    }
}
