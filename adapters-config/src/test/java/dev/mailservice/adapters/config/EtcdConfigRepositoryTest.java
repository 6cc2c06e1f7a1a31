package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contracts on a real etcd, plus what only etcd does: revisions and compare-and-set. */
class EtcdConfigRepositoryTest extends PipesHubStoreContractTest {

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    private static EtcdTestClient rawClient;

    @BeforeAll
    static void connectRawClient() {
        rawClient = new EtcdTestClient(ETCD.endpoints());
    }

    @AfterAll
    static void closeRawClient() {
        rawClient.close();
    }

    @Override
    PipesHubStore connect(Duration timeout) {
        return new EtcdStore(ETCD.endpoints().stream().map(URI::create).toList(), timeout, JDK_TRUST, MAX_VALUE_BYTES);
    }

    @Override
    PipesHubStore connectNowhere(int closedPort, Duration timeout) {
        return new EtcdStore(List.of(URI.create("http://127.0.0.1:" + closedPort)), timeout, JDK_TRUST, MAX_VALUE_BYTES);
    }

    @Override
    String unreachableReason() {
        return "etcd did not answer within 500 ms"; // gRPC waits for the connection until the call's deadline
    }

    @Override
    void putRaw(String path, String value) throws Exception {
        rawClient.put(path, value);
    }

    @Override
    void deleteRaw(String path) throws Exception {
        rawClient.delete(path);
    }

    @Override
    void stopServer() throws Exception {
        ETCD.stop(0);
    }

    @Override
    void startServer() throws Exception {
        ETCD.start(0);
    }

    @Override
    String expectedSourceName() {
        return "etcd";
    }

    /**
     * etcd cannot tell a value's length without the value: one a little too long (about the limit
     * and 2 kB, once encrypted) is read, then refused by its length; one far too long (about 8 times
     * the limit) is not taken in by gRPC at all, and refused the same way.
     */
    @ParameterizedTest
    @ValueSource(ints = {MAX_VALUE_BYTES / 2 + 1_000, MAX_VALUE_BYTES * 4})
    void aValueOverTheLimitIsRefusedHoweverFarOver(int padding) throws Exception {
        storeRaw(withPadding(padding));

        InvalidInput refusal = assertThrows(InvalidInput.class,
                () -> repository().load());

        assertTrue(refusal.getMessage().endsWith("the value is longer than the limit of " + MAX_VALUE_BYTES + " bytes"),
                refusal.getMessage());
    }

    /**
     * etcd recreated without its data (or restored from an older snapshot): its revisions start
     * again below the one the watch had reached. jetcd resumes a watch from that revision, which
     * etcd takes as a start in the future; the change after it must still be announced.
     */
    @Test
    void aChangeIsAnnouncedAfterEtcdsHistoryWentBack() throws Exception {
        storeRaw(VALID_DOCUMENT);
        for (int i = 0; i < 50; i++) {
            putRaw("/elsewhere", Integer.toString(i));
        }
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository().watch(announcements::incrementAndGet)) {
            awaitWatching(announcements);
            int before = announcements.get();

            ETCD.recreate();
            eventually(() -> announcements.get() > before, "the watch's return was not announced");
            awaitQuiet(announcements);
            int afterRecreation = announcements.get();
            storeRaw(VALID_DOCUMENT.replace("587", "2525"));

            eventually(() -> announcements.get() > afterRecreation, "a change after etcd's history went back was "
                    + "not announced");
        }
    }

    @Test
    void theRevisionIsEtcdsModRevision() throws Exception {
        storeRaw(VALID_DOCUMENT);
        long first = repository().load().orElseThrow().revision();
        storeRaw(VALID_DOCUMENT);

        long second = repository().load().orElseThrow().revision();

        assertTrue(first > 0, "revision " + first);
        assertTrue(second > first, first + " then " + second);
    }

    @Test
    void aSaveOverARevisionThatIsNoLongerStoredIsAConflictThatWritesNothing() throws Exception {
        storeRaw(VALID_DOCUMENT);
        long read = repository().currentRevision();
        storeRaw(VALID_DOCUMENT.replace("587", "2525"));
        long newer = repository().currentRevision();

        WriteConflict conflict = assertThrows(WriteConflict.class, () -> repository().save(
                SmtpConfiguration.of("late.example.com", 25, null, null, "late@example.com", false), OpaqueFields.NONE, read));

        assertTrue(conflict.getMessage().startsWith("etcd key /services/smtp was changed by another write after revision "
                + read), conflict.getMessage());
        assertEquals(newer, repository().currentRevision());
        assertEquals(2525, repository().load().orElseThrow().configuration().port());
    }

    @Test
    void aSaveExpectingNothingStoredIsAConflictWhenSomethingIs() throws Exception {
        storeRaw(VALID_DOCUMENT);

        assertThrows(WriteConflict.class, () -> repository().save(
                SmtpConfiguration.of("late.example.com", 25, null, null, "late@example.com", false), OpaqueFields.NONE, 0));
        assertEquals("smtp.example.com", repository().load().orElseThrow().configuration().host());
    }

    @Test
    void anUndecryptableValueHasARevisionToSaveOver() throws Exception {
        putRaw(KeyValueConfigRepository.PATH, "not:an:encrypted-value");

        assertTrue(repository().currentRevision() > 0);
    }
}
