package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.testkit.EtcdCluster;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A write the etcd leader took while its followers were frozen: it stays in the leader's log, and is
 * applied once they are back, after the write's own deadline. What the caller is told must be what
 * became of it. (The members wait 10 s before electing another leader, so that the leader keeps its
 * place while they are frozen.)
 */
class EtcdUnansweredWriteTest {

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.threeMembers().withElectionTimeout(Duration.ofSeconds(10));

    private static final String KEY = KeyValueConfigRepository.PATH;
    /** The store's timeout: each call, the write and each check of it, gets this long; well below the election timeout. */
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private EtcdStore leaderOnly(int leader) {
        return new EtcdStore(List.of(URI.create(ETCD.endpoints().get(leader))), TIMEOUT,
                PipesHubStoreContractTest.JDK_TRUST, ConfigRepositoryContractTest.MAX_VALUE_BYTES);
    }

    /** Freezes the members {@code which} takes (SIGSTOP), or lets them run on (SIGCONT). */
    private static void freeze(IntPredicate which, boolean frozen) throws Exception {
        for (int member = 0; member < 3; member++) {
            if (which.test(member)) {
                if (frozen) {
                    ETCD.pause(member);
                } else {
                    ETCD.resume(member);
                }
            }
        }
    }

    /**
     * Writes {@code value} over revision {@code over} on {@code caller}'s thread while the members
     * {@code which} takes are frozen, and lets them run on past the write's deadline (3 s), early in
     * its check's (3 s more).
     */
    private static Future<Long> writeWhileFrozen(EtcdStore store, ExecutorService caller, IntPredicate which,
            String value, long over) throws Exception {
        try {
            freeze(which, true);
            Future<Long> write = caller.submit(() -> store.writeOver(KEY, value, over));
            Thread.sleep(TIMEOUT.plusMillis(600));
            return write;
        } finally {
            freeze(which, false);
        }
    }

    @Test
    void aWriteAppliedOnlyAfterItsDeadlineIsAnsweredAsAppliedWhenEtcdAnswersTheCheck() throws Exception {
        int leader = ETCD.leaderIndex();
        try (EtcdStore store = leaderOnly(leader); ExecutorService caller = Executors.newSingleThreadExecutor()) {
            long first = store.writeOver(KEY, "first", store.stampOf(KEY));

            long written = writeWhileFrozen(store, caller, member -> member != leader, "second", first).get();

            assertEquals("second", store.value(KEY).orElseThrow());
            assertEquals(written, store.stampOf(KEY));
        }
    }

    /**
     * Every member frozen while the write is on its way: once they run again, etcd applies it or
     * drops it (its deadline passed), whichever it comes to first. Either way the answer must say
     * what became of it.
     */
    @Test
    void aWriteFrozenOnItsWayIsAnsweredAsWhatBecameOfIt() throws Exception {
        int leader = ETCD.leaderIndex();
        try (EtcdStore store = leaderOnly(leader); ExecutorService caller = Executors.newSingleThreadExecutor()) {
            long before = store.writeOver(KEY, "before", store.stampOf(KEY));
            Future<Long> write = writeWhileFrozen(store, caller, member -> true, "frozen", before);

            try {
                long written = write.get();
                assertEquals("frozen", store.value(KEY).orElseThrow());
                assertEquals(written, store.stampOf(KEY));
            } catch (ExecutionException failed) {
                assertTrue(failed.getCause().getMessage().endsWith("nothing was written (checked once etcd answered)"),
                        failed.getCause().getMessage());
                Thread.sleep(TIMEOUT.multipliedBy(2));
                assertEquals("before", store.value(KEY).orElseThrow(), "a write said not to be written was applied");
            }
        }
    }

    @Test
    void aWriteEtcdStillHoldsWhenTheCheckGoesUnansweredTooIsSaidToMayStillApply() throws Exception {
        int leader = ETCD.leaderIndex();
        try (EtcdStore store = leaderOnly(leader)) {
            long first = store.writeOver(KEY, "before", store.stampOf(KEY));
            BackendUnavailable failed;
            try {
                freeze(member -> member != leader, true);
                failed = assertThrows(BackendUnavailable.class, () -> store.writeOver(KEY, "after", first));
            } finally {
                freeze(member -> member != leader, false);
            }

            assertTrue(failed.getMessage().contains("may still apply this write, over revision " + first + " only"),
                    failed.getMessage());
            // As it does, once the followers are back: what the failure said.
            ConfigRepositoryContractTest.eventually(() -> store.value(KEY).orElseThrow().equals("after"),
                    "the write etcd held was not applied");
        }
    }
}
