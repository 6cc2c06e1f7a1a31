package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import dev.mailservice.testkit.TcpProxy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A write lost on its way to etcd, its connection then cut, as a middlebox that forgot the
 * connection and then reset it does: etcd never saw it, the store cannot know that, and what it
 * tells the caller, after checking the key over a new connection, must hold whatever the write
 * does later. (A write etcd took and answered late is {@link EtcdUnansweredWriteTest}'s.)
 */
class EtcdLostWriteTest {

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    private static final String KEY = KeyValueConfigRepository.PATH;
    /** Ample: the cut, not the deadline, ends the lost write, and etcd answers the check at once. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** For a check that cannot reach etcd: it ends at its deadline. */
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(3);
    private static final int MAX_VALUE_BYTES = 1024;
    /** Too long for the store's gRPC channel to take in at all (its limit is the value's, with room beside it). */
    private static final int UNREADABLE_BYTES = MAX_VALUE_BYTES + 128 * 1024;
    /** What the lost write carries, and what the proxy knows it by. */
    private static final String LOST = "lost-on-its-way";

    private TcpProxy proxy;
    private EtcdStore store;
    private EtcdTestClient direct;
    private ExecutorService caller;

    @BeforeEach
    void throughAProxy() throws Exception {
        proxy = new TcpProxy(URI.create(ETCD.endpoints().getFirst()).getPort());
        store = new EtcdStore(List.of(URI.create("http://127.0.0.1:" + proxy.port())), TIMEOUT,
                PipesHubStoreContractTest.JDK_TRUST, MAX_VALUE_BYTES);
        direct = new EtcdTestClient(ETCD.endpoints());
        direct.delete(KEY);
        caller = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void close() throws Exception {
        caller.shutdownNow();
        store.close();
        direct.close();
        proxy.close();
    }

    /**
     * Writes {@link #LOST} over {@code revision}, the write's bytes dropped by the proxy; runs
     * {@code meanwhile}, then cuts the connection under the waiting write.
     */
    private Throwable loseTheWrite(long revision, Meanwhile meanwhile) throws Exception {
        return loseTheWrite(store, revision, meanwhile);
    }

    private Throwable loseTheWrite(EtcdStore writer, long revision, Meanwhile meanwhile) throws Exception {
        writer.stampOf(KEY); // the connection opened before the write, as in a running service
        CompletableFuture<Void> lost = proxy.silenceTheNextConnectionAt(LOST);
        Future<Long> write = caller.submit(() -> writer.writeOver(KEY, LOST, revision));
        lost.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        meanwhile.run();
        proxy.cutAll();
        return assertThrows(ExecutionException.class, write::get).getCause();
    }

    @FunctionalInterface
    private interface Meanwhile {
        void run() throws Exception;
    }

    @Test
    void aLostWriteOverAnUnchangedValueIsFencedAndSaidNotWritten() throws Exception {
        direct.put(KEY, "before");
        long before = store.stampOf(KEY);

        Throwable failed = loseTheWrite(before, () -> {});

        assertTrue(failed instanceof BackendUnavailable && failed.getMessage().endsWith(
                "nothing was written (checked once etcd answered)"), String.valueOf(failed));
        assertEquals(Optional.of("before"), direct.get(KEY));
        assertTrue(store.stampOf(KEY) > before, "the value was not written over with itself");
        // The write, should it come now, finds another revision.
        assertThrows(WriteConflict.class, () -> store.writeOver(KEY, "late", before));
    }

    @Test
    void aLostWriteWhoseCheckGoesUnansweredTooIsSaidToMayStillApplyOverItsRevisionOnly() throws Exception {
        direct.put(KEY, "before");
        long before = store.stampOf(KEY);

        Throwable failed = loseTheWriteAndEtcd(before);

        assertTrue(failed instanceof BackendUnavailable && failed.getMessage().endsWith(", nor to the check that "
                + "followed: etcd may still apply this write, over revision " + before + " only (never over a newer "
                + "value)"), String.valueOf(failed));
        assertEquals(Optional.of("before"), direct.get(KEY));
    }

    @Test
    void aLostWriteToCreateTheKeyWhoseCheckGoesUnansweredTooIsSaidToMayStillApplyWheneverNothingIsStored()
            throws Exception {
        Throwable failed = loseTheWriteAndEtcd(0);

        assertTrue(failed instanceof BackendUnavailable && failed.getMessage().endsWith(", nor to the check that "
                + "followed: etcd may still apply this write, which was to create the key, whenever nothing is "
                + "stored there"), String.valueOf(failed));
        assertEquals(Optional.empty(), direct.get(KEY));
    }

    /** Loses the write over {@code revision}, and etcd hangs from then on: the check cannot reach it either. */
    private Throwable loseTheWriteAndEtcd(long revision) throws Exception {
        try (EtcdStore shortCalls = new EtcdStore(List.of(URI.create("http://127.0.0.1:" + proxy.port())), SHORT_TIMEOUT,
                PipesHubStoreContractTest.JDK_TRUST, MAX_VALUE_BYTES)) {
            return loseTheWrite(shortCalls, revision, proxy::silenceAll);
        }
    }

    @Test
    void aLostWriteOvertakenByAnotherIsAConflictAndIsNotStored() throws Exception {
        direct.put(KEY, "before");
        long before = store.stampOf(KEY);

        Throwable failed = loseTheWrite(before, () -> direct.put(KEY, "another"));

        assertTrue(failed instanceof WriteConflict && failed.getMessage().contains(
                "while etcd did not answer this one in time; this one is not stored"), String.valueOf(failed));
        assertEquals(Optional.of("another"), direct.get(KEY));
    }

    @Test
    void aLostWriteThatWasToCreateTheKeyIsSaidToMayStillApplyWheneverNothingIsStored() throws Exception {
        Throwable failed = loseTheWrite(0, () -> {});

        assertTrue(failed instanceof BackendUnavailable && failed.getMessage().endsWith(
                "etcd may still apply this write, which was to create the key, whenever nothing is stored there"),
                String.valueOf(failed));
        assertEquals(Optional.empty(), direct.get(KEY));
    }

    @Test
    void aLostWriteOverAValueTooLongToReadAtAllIsSaidToMayStillApplyOverThatRevisionOnly() throws Exception {
        direct.put(KEY, "x".repeat(UNREADABLE_BYTES));
        long before = store.stampOf(KEY);

        Throwable failed = loseTheWrite(before, () -> {});

        assertTrue(failed instanceof BackendUnavailable && failed.getMessage().endsWith(
                "; etcd may still apply this write, over revision " + before + " only (never over a newer value)")
                && !failed.getMessage().contains("nor to the check"), String.valueOf(failed));
        assertEquals(before, store.stampOf(KEY));
    }

    /**
     * The check reads the value, too long to read at all, then its revision alone, which goes
     * unanswered: the proxy knows that read by the key followed by its keys-only flag (field 8 of
     * etcd's RangeRequest, true: bytes 0x40 0x01), which the read of the value lacks.
     */
    @Test
    void aLostWriteOverAValueTooLongToReadWhoseRevisionGoesUnansweredIsSaidToMayStillApplyOverItsRevisionOnly()
            throws Exception {
        direct.put(KEY, "x".repeat(UNREADABLE_BYTES));
        long before = store.stampOf(KEY);
        AtomicReference<CompletableFuture<Void>> revisionUnanswered = new AtomicReference<>();

        Throwable failed;
        try (EtcdStore shortCalls = new EtcdStore(List.of(URI.create("http://127.0.0.1:" + proxy.port())), SHORT_TIMEOUT,
                PipesHubStoreContractTest.JDK_TRUST, MAX_VALUE_BYTES)) {
            failed = loseTheWrite(shortCalls, before,
                    () -> revisionUnanswered.set(proxy.silenceTheNextConnectionAt(KEY + "@\u0001")));
        }

        assertTrue(revisionUnanswered.get().isDone(), "the read of the revision alone was not the one left unanswered");
        assertTrue(failed instanceof BackendUnavailable && failed.getMessage().endsWith(", nor to the check that "
                + "followed: etcd may still apply this write, over revision " + before + " only (never over a newer "
                + "value)"), String.valueOf(failed));
        assertEquals(before, store.stampOf(KEY));
    }

    @Test
    void aLostWriteOverAValueTooLongToReadThatChangedSinceIsAConflict() throws Exception {
        direct.put(KEY, "x".repeat(UNREADABLE_BYTES));
        long before = store.stampOf(KEY);

        Throwable failed = loseTheWrite(before, () -> direct.put(KEY, "y".repeat(UNREADABLE_BYTES)));

        assertTrue(failed instanceof WriteConflict, String.valueOf(failed));
        assertTrue(direct.get(KEY).orElseThrow().startsWith("y"));
    }
}
