package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.InvalidSmtpConfigurationException;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import dev.mailservice.testkit.NodeCryptoVector;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on a real etcd, plus what only etcd does: encryption, revisions, faults. */
class EtcdConfigRepositoryTest extends ConfigRepositoryContractTest {

    private static final String SECRET_KEY = "test-secret-key";

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    private static EtcdTestClient rawClient;
    private final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);
    private EtcdStore store;
    private EtcdConfigRepository repository;

    @BeforeEach
    void connect() throws Exception {
        if (rawClient == null) {
            rawClient = new EtcdTestClient(ETCD.endpoints());
        }
        rawClient.delete(EtcdConfigRepository.KEY);
        store = new EtcdStore(ETCD.endpoints().stream().map(URI::create).toList(), Duration.ofSeconds(2));
        repository = new EtcdConfigRepository(store, cipher);
    }

    @AfterEach
    void disconnect() {
        store.close();
    }

    @AfterAll
    static void closeRawClient() {
        if (rawClient != null) {
            rawClient.close();
        }
    }

    private static void putRaw(String value) throws Exception {
        rawClient.put(EtcdConfigRepository.KEY, value);
    }

    @Override
    ConfigRepository repository() {
        return repository;
    }

    @Override
    void storeRaw(String document) throws Exception {
        putRaw(cipher.encrypt(document));
    }

    @Override
    String expectedSourceName() {
        return "etcd";
    }

    @Test
    void servesAValueEncryptedByNodeCryptoAsPipesHubWritesIt() throws Exception {
        NodeCryptoVector vector = NodeCryptoVector.read();
        putRaw(vector.value());
        EtcdConfigRepository withNodeKey = new EtcdConfigRepository(store, new AesGcmCipher(vector.secretKey()));

        assertEquals(NodeCryptoVector.PASSWORD,
                withNodeKey.load().orElseThrow().configuration().password().orElseThrow().reveal());
    }

    @Test
    void aSavedValueIsEncryptedInPipesHubsFormatAndNodeCanReadIt() throws Exception {
        repository.save(SmtpConfiguration.of("smtp.example.com", 587, "ops", SECRET, "noreply@example.com"), OpaqueFields.NONE, 0);

        String stored = store.get(EtcdConfigRepository.KEY).orElseThrow().value();
        assertTrue(stored.matches("[0-9a-f]{24}:[0-9a-f]+:[0-9a-f]{32}"), stored);
        assertEquals(SmtpConfiguration.of("smtp.example.com", 587, "ops", SECRET, "noreply@example.com"),
                ConfigurationDocument.parse(NodeCrypto.decrypt(stored, SECRET_KEY).getBytes(StandardCharsets.UTF_8),
                        "what Node decrypted", 0).configuration());
    }

    @Test
    void theRevisionIsEtcdsModRevision() throws Exception {
        storeRaw(VALID_DOCUMENT);
        long first = repository.load().orElseThrow().revision();
        storeRaw(VALID_DOCUMENT);

        long second = repository.load().orElseThrow().revision();

        assertTrue(first > 0, "revision " + first);
        assertTrue(second > first, first + " then " + second);
    }

    @Test
    void aSaveOverARevisionThatIsNoLongerStoredIsAConflictThatWritesNothing() throws Exception {
        storeRaw(VALID_DOCUMENT);
        long read = repository.currentRevision();
        storeRaw(VALID_DOCUMENT.replace("587", "2525"));
        long newer = repository.currentRevision();

        WriteConflict conflict = assertThrows(WriteConflict.class, () -> repository.save(
                SmtpConfiguration.of("late.example.com", 25, null, null, "late@example.com"), OpaqueFields.NONE, read));

        assertTrue(conflict.getMessage().startsWith("etcd key /services/smtp at "), conflict.getMessage());
        assertEquals(newer, repository.currentRevision());
        assertEquals(2525, repository.load().orElseThrow().configuration().port());
    }

    @Test
    void aSaveExpectingNothingStoredIsAConflictWhenSomethingIs() throws Exception {
        storeRaw(VALID_DOCUMENT);

        assertThrows(WriteConflict.class, () -> repository.save(
                SmtpConfiguration.of("late.example.com", 25, null, null, "late@example.com"), OpaqueFields.NONE, 0));
        assertEquals("smtp.example.com", repository.load().orElseThrow().configuration().host());
    }

    @Test
    void aWriteThatFailedWhileEtcdWasDownNeverLandsOnceItIsBack() throws Exception {
        storeRaw(VALID_DOCUMENT);
        long read = repository.currentRevision();
        Duration timeout = Duration.ofMillis(1000);
        try (EtcdStore shortTimeout = new EtcdStore(ETCD.endpoints().stream().map(URI::create).toList(), timeout)) {
            EtcdConfigRepository writer = new EtcdConfigRepository(shortTimeout, cipher);
            writer.currentRevision(); // connected, as a service is when etcd goes down
            ETCD.stop(0);
            try {
                assertThrows(BackendUnavailable.class, () -> writer.save(
                        SmtpConfiguration.of("lost.example.com", 25, null, null, "lost@example.com"), OpaqueFields.NONE, read));
            } finally {
                ETCD.start(0);
            }
            // A write is not retried on an unreachable etcd, and the call's deadline is the timeout;
            // the store waits a second more. Watch for that and 5 s beyond, with the writer still open.
            long until = System.nanoTime() + timeout.plusSeconds(1 + 5).toNanos();
            while (System.nanoTime() < until) {
                assertEquals(587, repository.load().orElseThrow().configuration().port(), "the failed write landed");
                Thread.sleep(100);
            }
            assertEquals(read, repository.currentRevision());
        }
    }

    @Test
    void anUndecryptableValueHasARevisionToSaveOver() throws Exception {
        putRaw("not:an:encrypted-value");

        assertTrue(repository.currentRevision() > 0);
    }

    @Test
    void aWrongSecretKeyIsAnInvalidConfigurationThatSaysSo() throws Exception {
        storeRaw(VALID_DOCUMENT);
        EtcdConfigRepository wrongKey = new EtcdConfigRepository(store, new AesGcmCipher("not-the-key"));

        InvalidSmtpConfigurationException refusal = assertThrows(InvalidSmtpConfigurationException.class, wrongKey::load);

        assertTrue(refusal.getMessage().startsWith("The SMTP configuration in etcd key /services/smtp"), refusal.getMessage());
        assertTrue(refusal.getMessage().contains("cannot be decrypted: authentication failed"), refusal.getMessage());
    }

    @Test
    void aTamperedValueIsAnInvalidConfigurationThatSaysSo() throws Exception {
        String value = cipher.encrypt(VALID_DOCUMENT);
        String[] parts = value.split(":");
        putRaw(parts[0] + ":" + (parts[1].startsWith("0") ? "1" : "0") + parts[1].substring(1) + ":" + parts[2]);

        InvalidSmtpConfigurationException refusal = assertThrows(InvalidSmtpConfigurationException.class, repository::load);

        assertTrue(refusal.getMessage().contains("cannot be decrypted"), refusal.getMessage());
    }

    @Test
    void aPlainTextValueIsAnInvalidConfiguration() throws Exception {
        putRaw(VALID_DOCUMENT);

        InvalidSmtpConfigurationException refusal = assertThrows(InvalidSmtpConfigurationException.class, repository::load);

        assertTrue(refusal.getMessage().contains("is not in the form hex(iv):hex(ciphertext):hex(tag)"), refusal.getMessage());
    }

    @Test
    void anUnreachableEtcdIsUnavailableWithinTheTimeout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (EtcdStore nowhere = new EtcdStore(List.of(URI.create("http://127.0.0.1:" + closedPort)),
                Duration.ofMillis(500))) {
            EtcdConfigRepository unreachable = new EtcdConfigRepository(nowhere, cipher);

            // A guard against a hang, not a speed target.
            BackendUnavailable error = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(BackendUnavailable.class, unreachable::load));

            assertTrue(error.getMessage().contains("etcd at http://127.0.0.1:" + closedPort), error.getMessage());
        }
    }

    @Test
    void aWatchAnnouncesItsOwnStartSoThatAChangeMissedBeforeItIsReadAgain() throws Exception {
        AtomicInteger announcements = new AtomicInteger();

        try (ConfigRepository.Subscription ignored = repository.watch(announcements::incrementAndGet)) {
            eventually(() -> announcements.get() > 0, "the established watch was not announced");
        }
    }

    @Test
    void theWatchResumesAfterEtcdRestartsAndAnnouncesTheResumption() throws Exception {
        storeRaw(VALID_DOCUMENT);
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository.watch(announcements::incrementAndGet)) {
            awaitQuiet(announcements);
            int beforeOutage = announcements.get();

            ETCD.stop(0);
            ETCD.start(0);

            eventually(() -> announcements.get() > beforeOutage, "the resumed watch was not announced");
            awaitQuiet(announcements);
            int afterResume = announcements.get();
            storeRaw(VALID_DOCUMENT.replace("587", "2525"));
            eventually(() -> announcements.get() > afterResume, "a change after the outage was not announced");
            assertEquals(2525, repository.load().orElseThrow().configuration().port());
        }
    }
}
