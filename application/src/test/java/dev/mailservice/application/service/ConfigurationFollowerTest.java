package dev.mailservice.application.service;

import static dev.mailservice.application.service.Fakes.configuration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.Backoff;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.testkit.LogCapture;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfigurationFollowerTest {

    private final Fakes.Metrics metrics = new Fakes.Metrics();
    private static final Backoff QUICK_RETRIES = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));

    private final Fakes.Repository repository = new Fakes.Repository();
    private final Fakes.TransportFactory factory = new Fakes.TransportFactory();
    private final Core core = new Core(repository, factory, metrics);
    private final ReloadSmtpConfigurationService reload = core.reload();
    private ConfigurationFollower follower;

    @AfterEach
    void stop() {
        follower.close();
    }

    private ConfigurationFollower follower(boolean watch) {
        follower = new ConfigurationFollower(repository, reload, watch, QUICK_RETRIES, metrics);
        return follower;
    }

    private String activeHost() {
        return core.board.status().active().map(applied -> applied.configuration().host()).orElse(null);
    }

    /** Waits for something the follower does on its own thread; a guard against a hang, not a speed target. */
    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the condition did not come true");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void appliesTheStoredConfigurationBeforeStartReturns() {
        repository.stores(configuration("a.example.com"));

        follower(true).start();

        assertEquals("a.example.com", activeHost());
    }

    /** A change announced is a reload after a change, which does not verify again what its own store-back announced. */
    @Test
    void aChangeIsAppliedAsAReloadAfterAChange() throws Exception {
        repository.stores(configuration("a.example.com"));
        AtomicInteger afterChange = new AtomicInteger();
        follower = new ConfigurationFollower(repository, new ReloadSmtpConfiguration() {
            @Override
            public Optional<SmtpConfiguration> reload() {
                throw new AssertionError("the follower asked for a plain reload");
            }

            @Override
            public Optional<SmtpConfiguration> reloadAfterChange() {
                afterChange.incrementAndGet();
                return reload.reload();
            }
        }, true, QUICK_RETRIES, metrics);
        follower.start();

        repository.announceChange();

        eventually(() -> afterChange.get() >= 2);
        assertEquals("a.example.com", activeHost());
    }

    @Test
    void aFloodOfChangesWhileAnApplicationRunsQueuesOneMoreAndItAppliesTheLatest() throws Exception {
        repository.stores(configuration("a.example.com"));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        AtomicInteger reloads = new AtomicInteger();
        follower = new ConfigurationFollower(repository, () -> {
            if (reloads.incrementAndGet() == 2) {
                running.countDown();
                Fakes.await(mayFinish);
            }
            return reload.reload();
        }, true, QUICK_RETRIES, metrics);
        follower.start();

        repository.announceChange();
        Fakes.await(running);
        repository.stores(configuration("b.example.com"));
        for (int i = 0; i < 100_000; i++) {
            repository.announceChange();
        }
        mayFinish.countDown();

        eventually(() -> "b.example.com".equals(activeHost()));
        // The change under way applied b already; closing waits for what is queued, and nothing more comes.
        follower.close();
        assertEquals(3, reloads.get(), "the start, the change under way, and one for everything told meanwhile");
    }

    @Test
    void anUnexpectedFailureOfAnApplicationIsLoggedAndTheNextChangeIsApplied() throws Exception {
        repository.stores(configuration("a.example.com"));
        AtomicInteger reloads = new AtomicInteger();
        follower = new ConfigurationFollower(repository, () -> {
            if (reloads.incrementAndGet() == 2) {
                throw new IllegalStateException("a bug");
            }
            return reload.reload();
        }, true, QUICK_RETRIES, metrics);
        follower.start();

        try (LogCapture log = LogCapture.of(ConfigurationFollower.class)) {
            repository.announceChange();
            eventually(() -> !log.lines().isEmpty());
            assertTrue(log.lines().getFirst().startsWith("SEVERE Applying a change of " + repository.location()
                    + " failed unexpectedly"), log.lines().toString());
        }

        repository.stores(configuration("b.example.com"));
        repository.announceChange();
        eventually(() -> "b.example.com".equals(activeHost()));
    }

    @Test
    void appliesAChangeTheBackendAnnounces() throws Exception {
        repository.stores(configuration("a.example.com"));
        follower(true).start();
        repository.stores(configuration("b.example.com"));

        repository.announceChange();

        eventually(() -> "b.example.com".equals(activeHost()));
    }

    @Test
    void aWatchThatIsBackIsCounted() {
        follower(true).start();

        repository.listeners.forEach(ConfigRepository.ChangeListener::watchResumed);

        assertTrue(metrics.events.contains("watch resumed fake"), metrics.events.toString());
    }

    @Test
    void aBadChangeIsNotAppliedAndIsRecorded() throws Exception {
        repository.stores(configuration("a.example.com"));
        follower(true).start();
        repository.fails(new InvalidInput("port", "must be between 1 and 65535, got 0"));

        repository.announceChange();

        eventually(() -> core.board.status().lastReloadError().isPresent());
        assertEquals("a.example.com", activeHost());
    }

    @Test
    void keepsTryingAnUnreachableBackendUntilItAnswers() throws Exception {
        repository.fails(new BackendUnavailable("etcd did not answer", null));
        follower(true).start();
        assertEquals(null, activeHost());
        eventually(() -> repository.reads.get() >= 3);

        repository.stores(configuration("a.example.com"));

        eventually(() -> "a.example.com".equals(activeHost()));
        int readsOnceApplied = repository.reads.get();
        Thread.sleep(200);
        assertEquals(readsOnceApplied, repository.reads.get(), "it kept retrying after the backend answered");
    }

    @Test
    void doesNotRetryAnInvalidConfiguration() throws Exception {
        repository.fails(new InvalidInput("host", "is required"));
        follower(true).start();

        Thread.sleep(200);

        assertEquals(1, repository.reads.get());
    }

    @Test
    void withoutWatchingItAppliesOnlyAtStart() {
        repository.stores(configuration("a.example.com"));

        follower(false).start();

        assertEquals("a.example.com", activeHost());
        assertTrue(repository.listeners.isEmpty(), "it subscribed although watching is off");
    }

    @Test
    void closingWaitsForAnApplicationUnderWaySoThatNothingIsActivatedAfterwards() throws Exception {
        repository.stores(configuration("a.example.com"));
        follower(true).start();
        CountDownLatch readStarted = new CountDownLatch(1);
        CountDownLatch readMayFinish = new CountDownLatch(1);
        StoredSmtpConfiguration changed = new StoredSmtpConfiguration(configuration("b.example.com"), 0, OpaqueFields.NONE);
        repository.answers(() -> {
            readStarted.countDown();
            Fakes.await(readMayFinish);
            return Optional.of(changed);
        });
        repository.announceChange();
        Fakes.await(readStarted);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(follower::close, task -> Thread.ofPlatform().start(task));
        Thread.sleep(200);
        assertFalse(closing.isDone(), "closing did not wait for the application under way");
        readMayFinish.countDown();
        closing.get(10, TimeUnit.SECONDS);

        assertEquals("b.example.com", activeHost(), "the application under way was cut off");
    }

    /** A stop during the service's start closes the follower before the start reaches it. */
    @Test
    void aStartAfterTheCloseNeitherWatchesNorReadsNorFails() {
        repository.stores(configuration("a.example.com"));
        follower(true).close();

        follower.start();

        assertTrue(repository.listeners.isEmpty(), "a watch was opened after the close");
        assertEquals(0, repository.reads.get());
        assertEquals(null, activeHost());
    }

    /**
     * A stop that comes while the start opens its watch neither waits for the opening nor leaves the
     * watch open, and the start returns without applying anything.
     */
    @Test
    void aCloseWhileTheWatchOpensNeitherWaitsForItNorLeavesItOpen() throws Exception {
        repository.stores(configuration("a.example.com"));
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch mayOpen = new CountDownLatch(1);
        repository.onWatch = () -> {
            opening.countDown();
            Fakes.await(mayOpen);
        };
        CompletableFuture<Void> starting = CompletableFuture.runAsync(follower(true)::start,
                task -> Thread.ofPlatform().start(task));
        Fakes.await(opening);

        CompletableFuture.runAsync(follower::close, task -> Thread.ofPlatform().start(task)).get(10, TimeUnit.SECONDS);
        mayOpen.countDown();
        starting.get(10, TimeUnit.SECONDS);

        assertTrue(repository.listeners.isEmpty(), "the watch opened during the close was left open");
        assertEquals(0, repository.reads.get());
        assertEquals(null, activeHost());
    }

    /**
     * A change told as the watch opens queues an application ahead of the start's own; when that
     * one outlasts the close's wait, the start's is dropped, and the start returns.
     */
    @Test
    void aStartQueuedBehindAnApplicationTheCloseCutsOffReturns() throws Exception {
        CountDownLatch readStarted = new CountDownLatch(1);
        repository.answers(() -> {
            readStarted.countDown();
            Fakes.await(new CountDownLatch(1)); // until interrupted, which the close does after its wait
            return Optional.empty();
        });
        repository.onWatch = repository::announceChange;
        CompletableFuture<Void> starting = CompletableFuture.runAsync(follower(true)::start,
                task -> Thread.ofPlatform().daemon(true).start(task));
        Fakes.await(readStarted);

        follower.close();

        starting.get(10, TimeUnit.SECONDS);
    }

    @Test
    void closingStopsWatching() {
        repository.stores(configuration("a.example.com"));
        follower(true).start();

        follower.close();

        assertTrue(repository.listeners.isEmpty());
    }
}
