package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
        return new EtcdStore(ETCD.endpoints().stream().map(URI::create).toList(), timeout, JDK_TRUST);
    }

    @Override
    PipesHubStore connectNowhere(int closedPort, Duration timeout) {
        return new EtcdStore(List.of(URI.create("http://127.0.0.1:" + closedPort)), timeout, JDK_TRUST);
    }

    @Override
    String serverAt(int closedPort) {
        return "etcd at http://127.0.0.1:" + closedPort;
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
                SmtpConfiguration.of("late.example.com", 25, null, null, "late@example.com"), OpaqueFields.NONE, read));

        assertTrue(conflict.getMessage().startsWith("etcd key /services/smtp at "), conflict.getMessage());
        assertEquals(newer, repository().currentRevision());
        assertEquals(2525, repository().load().orElseThrow().configuration().port());
    }

    @Test
    void aSaveExpectingNothingStoredIsAConflictWhenSomethingIs() throws Exception {
        storeRaw(VALID_DOCUMENT);

        assertThrows(WriteConflict.class, () -> repository().save(
                SmtpConfiguration.of("late.example.com", 25, null, null, "late@example.com"), OpaqueFields.NONE, 0));
        assertEquals("smtp.example.com", repository().load().orElseThrow().configuration().host());
    }

    @Test
    void anUndecryptableValueHasARevisionToSaveOver() throws Exception {
        putRaw(KeyValueConfigRepository.PATH, "not:an:encrypted-value");

        assertTrue(repository().currentRevision() > 0);
    }
}
