package dev.mailservice.application.service;

import static dev.mailservice.application.service.Fakes.await;
import static dev.mailservice.application.service.Fakes.configuration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.testkit.LogCapture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReloadSmtpConfigurationServiceTest {

    private final Fakes.Metrics metrics = new Fakes.Metrics();

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    private final Fakes.Repository repository = new Fakes.Repository();
    private final Fakes.TransportFactory factory = new Fakes.TransportFactory();
    private final Core core = new Core(repository, factory, metrics, Clock.fixed(NOW, ZoneOffset.UTC));
    private final ReloadSmtpConfigurationService reload = core.reload();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** Only for a test that would otherwise hang: none of them waits on time. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private SmtpConfiguration activeConfiguration() {
        return core.board.status().active().orElseThrow().configuration();
    }

    @Test
    void appliesTheStoredConfigurationAndSaysWhenAndFromWhere() {
        repository.stores(configuration("a.example.com"));

        SmtpConfiguration applied = reload.reload().orElseThrow();

        assertEquals(configuration("a.example.com"), applied);
        SmtpStatus.Applied active = core.board.status().active().orElseThrow();
        assertEquals(applied, active.configuration());
        assertEquals(NOW, active.appliedAt());
        assertEquals("fake", active.source());
        assertEquals(StoredSmtpConfiguration.UNVERSIONED, active.revision());
        assertEquals(Optional.empty(), core.board.status().lastReloadError());
    }

    @Test
    void swapsTheTransportAndClosesTheIdleOldOne() {
        repository.stores(configuration("a.example.com"));
        reload.reload();
        Fakes.Transport first = factory.last();
        repository.stores(configuration("b.example.com"));

        reload.reload();

        assertEquals("b.example.com", activeConfiguration().host());
        assertTrue(first.isClosed());
        assertFalse(factory.last().isClosed());
        core.sender.send(Fakes::message);
        assertEquals(0, first.sent.get());
        assertEquals(1, factory.last().sent.get());
    }

    @Test
    void anInvalidConfigurationLeavesThePreviousSenderActiveAndIsRemembered() {
        repository.stores(configuration("a.example.com"));
        reload.reload();
        Fakes.Transport first = factory.last();
        repository.fails(new InvalidInput("port", "must be between 1 and 65535, got 0"));

        assertThrows(InvalidInput.class, reload::reload);

        assertEquals("a.example.com", activeConfiguration().host());
        assertFalse(first.isClosed());
        assertEquals(1, factory.built.size());
        SmtpStatus.ReloadError error = core.board.status().lastReloadError().orElseThrow();
        assertEquals("port must be between 1 and 65535, got 0", error.message());
        assertEquals(NOW, error.at());
        core.sender.send(Fakes::message);
        assertEquals(1, first.sent.get());
    }

    @Test
    void anUnavailableBackendLeavesThePreviousSenderActive() {
        repository.stores(configuration("a.example.com"));
        reload.reload();
        repository.fails(new BackendUnavailable("etcd did not answer", null));

        assertThrows(BackendUnavailable.class, reload::reload);

        assertEquals("a.example.com", activeConfiguration().host());
        assertEquals("etcd did not answer", core.board.status().lastReloadError().orElseThrow().message());
    }

    @Test
    void nothingStoredAnswersEmptyActivatesNothingAndIsNoError() {
        repository.answers(Optional::empty);

        assertEquals(Optional.empty(), reload.reload());

        SmtpStatus status = core.board.status();
        assertEquals(Optional.empty(), status.active());
        assertEquals(Optional.empty(), status.lastReloadError());
        assertEquals(List.of(), status.warnings());
    }

    @Test
    void aStoreEmptiedUnderAnActiveConfigurationKeepsItWithAWarningUntilSomethingIsStoredAgain() {
        repository.stores(configuration("a.example.com"));
        reload.reload();
        repository.fails(new BackendUnavailable("etcd did not answer", null));
        assertThrows(BackendUnavailable.class, reload::reload);
        repository.answers(Optional::empty);

        assertEquals(Optional.empty(), reload.reload());

        SmtpStatus status = core.board.status();
        assertEquals("a.example.com", activeConfiguration().host());
        assertEquals(Optional.empty(), status.lastReloadError(), "nothing stored is not a failure");
        assertEquals(List.of("Nothing is stored in fake store; the configuration applied at " + NOW + " stays active"),
                status.warnings());

        repository.stores(configuration("a.example.com"));
        reload.reload();
        assertEquals(List.of(), core.board.status().warnings());
    }

    @Test
    void aPasswordWithoutAUsernameAppliesWithAWarning() {
        repository.stores(SmtpConfiguration.of("relay.example.com", 25, null, "lonely", "noreply@example.com", false));

        reload.reload();

        assertEquals("relay.example.com", activeConfiguration().host());
        assertEquals(List.of("A password is set but no username: SMTP AUTH is not attempted; set a username to log in"),
                core.board.status().warnings());
    }

    @Test
    void aTransportThatCannotBeBuiltLeavesThePreviousSenderActive() {
        repository.stores(configuration("a.example.com"));
        reload.reload();
        repository.stores(configuration("b.example.com"));
        factory.failure = new InvalidInput("host", "unusable host");

        assertThrows(InvalidInput.class, reload::reload);

        assertEquals("a.example.com", activeConfiguration().host());
        assertFalse(factory.last().isClosed());
    }

    @Test
    void aSuccessfulReloadClearsTheLastError() {
        repository.fails(new BackendUnavailable("down", null));
        assertThrows(BackendUnavailable.class, reload::reload);
        assertTrue(core.board.status().lastReloadError().isPresent());
        repository.stores(configuration("a.example.com"));

        reload.reload();

        assertEquals(Optional.empty(), core.board.status().lastReloadError());
    }

    @Test
    void sendingWithNothingActiveIsRefused() {
        assertThrows(NotConfigured.class, () -> core.sender.send(Fakes::message));
    }

    @Test
    void theOldTransportClosesOnlyAfterTheSendsHoldingItEnd() throws Exception {
        repository.stores(configuration("a.example.com"));
        reload.reload();
        Fakes.Transport old = factory.last();
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch mayFinish = new CountDownLatch(1);
        old.holdSends(started, mayFinish);
        Future<?> firstSend = threads.submit(() -> core.sender.send(Fakes::message));
        Future<?> secondSend = threads.submit(() -> core.sender.send(Fakes::message));
        await(started);
        repository.stores(configuration("b.example.com"));

        reload.reload();

        assertFalse(old.isClosed(), "closed while two sends still held it");
        core.sender.send(Fakes::message);
        assertEquals(1, factory.last().sent.get(), "a new send goes to the new transport");
        mayFinish.countDown();
        firstSend.get();
        secondSend.get();
        assertEquals(2, old.sent.get());
        assertEquals(1, old.closes.get());
        assertEquals(0, old.sendsAfterClose.get());
    }

    @Test
    void concurrentReloadsApplyOneAfterTheOtherAndLeaveNoTornState() throws Exception {
        AtomicInteger version = new AtomicInteger();
        repository.answers(() -> Optional.of(new StoredSmtpConfiguration(
                configuration("v" + version.incrementAndGet() + ".example.com"), StoredSmtpConfiguration.UNVERSIONED, OpaqueFields.NONE)));
        List<Future<Optional<SmtpConfiguration>>> reloads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < 200; i++) {
            reloads.add(threads.submit(() -> {
                await(go);
                return reload.reload();
            }));
        }
        go.countDown();
        for (Future<Optional<SmtpConfiguration>> each : reloads) {
            each.get();
        }

        assertFalse(repository.overlappingReadSeen, "two reloads read the backend at the same time");
        assertEquals(200, factory.built.size());
        Fakes.Transport active = factory.last();
        assertEquals("v200.example.com", activeConfiguration().host(), "the last read is the one applied");
        assertSame(active.configuration, activeConfiguration());
        assertFalse(active.isClosed());
        for (Fakes.Transport transport : factory.built.subList(0, 199)) {
            assertEquals(1, transport.closes.get(), "every replaced transport closes exactly once");
        }
    }

    @ParameterizedTest
    @CsvSource({"50, 100, 1", "600, 1200, 2"})
    void aReloadThatWaitsLongerThanTwoCallsOfTheBackendAnswersUnavailableAndTheOneUnderWayStillApplies(
            long callMillis, long waitedMillis, long retryAfterSeconds) {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            repository.stores(configuration("held.example.com"));
            CountDownLatch readStarted = new CountDownLatch(1);
            CountDownLatch readMayFinish = new CountDownLatch(1);
            repository.holdsReads(readStarted, readMayFinish);
            repository.callLimit = Duration.ofMillis(callMillis);
            Future<Optional<SmtpConfiguration>> underWay = threads.submit(reload::reload);
            await(readStarted);

            BackendUnavailable refusal = assertThrows(BackendUnavailable.class, reload::reload);

            assertEquals("Another read of fake store has not finished within " + waitedMillis + " ms (two calls of "
                    + callMillis + " ms); try again later", refusal.getMessage());
            assertEquals(Optional.of(Duration.ofSeconds(retryAfterSeconds)), refusal.retryAfter(),
                    "the whole seconds two calls may take, rounded up");
            assertEquals(1, repository.reads.get(), "the reload that gave up read the backend");
            readMayFinish.countDown();
            assertEquals(Optional.of(configuration("held.example.com")), underWay.get());
            assertEquals("held.example.com", activeConfiguration().host());
            assertEquals(Optional.empty(), core.board.status().lastReloadError(), "giving up was recorded as a reload error");
            assertEquals(List.of("reload fake applied"), metrics.events);
        });
    }

    @Test
    void aReloadThatWaitedForAReadThatFoundTheBackendUnavailableAnswersTheSameWithoutReadingAgain() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            BackendUnavailable down = new BackendUnavailable("etcd did not answer within 1000 ms", null);
            repository.fails(down);
            CountDownLatch readStarted = new CountDownLatch(1);
            CountDownLatch readMayFail = new CountDownLatch(1);
            repository.holdsReads(readStarted, readMayFail);
            Future<Optional<SmtpConfiguration>> underWay = threads.submit(reload::reload);
            await(readStarted);
            CountDownLatch waiting = new CountDownLatch(1);
            repository.onLongestCallAsked = waiting::countDown;
            Future<Optional<SmtpConfiguration>> waiter = threads.submit(reload::reload);
            await(waiting);

            readMayFail.countDown();

            assertSame(down, assertThrows(ExecutionException.class, underWay::get).getCause());
            Throwable answered = assertThrows(ExecutionException.class, waiter::get).getCause();
            assertEquals(BackendUnavailable.class, answered.getClass());
            assertEquals("Not tried, as the step it waited for met fake store unavailable: etcd did not answer within "
                    + "1000 ms", answered.getMessage());
            assertEquals(1, repository.reads.get(), "the waiting reload read the backend again");

            // The refused reload gave its turn back: the next one reads and applies.
            repository.stores(configuration("back.example.com"));
            assertEquals("back.example.com", reload.reload().orElseThrow().host());
        });
    }

    @Test
    void sendsDuringConstantSwapsNeverUseAClosedTransport() throws Exception {
        AtomicInteger version = new AtomicInteger();
        repository.answers(() -> Optional.of(new StoredSmtpConfiguration(
                configuration("v" + version.incrementAndGet() % 2 + ".example.com"), StoredSmtpConfiguration.UNVERSIONED, OpaqueFields.NONE)));
        reload.reload();
        int swaps = 300;
        CountDownLatch swapping = new CountDownLatch(1);
        AtomicInteger attempted = new AtomicInteger();
        Future<?> swapper = threads.submit(() -> {
            await(swapping);
            for (int i = 0; i < swaps; i++) {
                reload.reload();
            }
        });
        List<Future<?>> senders = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            senders.add(threads.submit(() -> {
                swapping.countDown();
                while (!swapper.isDone()) {
                    core.sender.send(Fakes::message);
                    attempted.incrementAndGet();
                }
            }));
        }
        swapper.get();
        for (Future<?> each : senders) {
            each.get();
        }

        int delivered = factory.built.stream().mapToInt(transport -> transport.sent.get()).sum();
        int misused = factory.built.stream().mapToInt(transport -> transport.sendsAfterClose.get()).sum();
        assertEquals(swaps + 1, factory.built.size());
        assertEquals(attempted.get(), delivered, "a send was lost or doubled");
        assertEquals(0, misused, "a send used a transport after it was closed");
        assertTrue(factory.built.subList(0, swaps).stream().allMatch(Fakes.Transport::isClosed),
                "a replaced transport was never closed");
    }

    @Test
    void closingTheSenderRetiresTheActiveTransport() {
        repository.stores(configuration("a.example.com"));
        reload.reload();

        core.sender.close();

        assertTrue(factory.last().isClosed());
        assertThrows(NotConfigured.class, () -> core.sender.send(Fakes::message));
    }

    @Test
    void aReloadThatEndsAfterTheSenderClosedLeavesNoTransportOpen() {
        core.sender.close();
        repository.stores(configuration("late.example.com"));

        reload.reload();

        assertTrue(factory.last().isClosed(), "the transport of a reload that outlived the stop was left open");
        assertThrows(NotConfigured.class, () -> core.sender.send(Fakes::message));
    }

    @Test
    void anUnchangedConfigurationKeepsTheActiveTransportAndClearsTheLastError() {
        repository.stores(configuration("a.example.com"), 5);
        reload.reload();
        SmtpStatus.Applied applied = core.board.status().active().orElseThrow();
        repository.fails(new BackendUnavailable("down", null));
        assertThrows(BackendUnavailable.class, reload::reload);
        repository.stores(configuration("a.example.com"), 9);

        assertEquals(Optional.of(configuration("a.example.com")), reload.reload());

        assertEquals(1, factory.built.size(), "an unchanged configuration built a new transport");
        assertFalse(factory.last().isClosed());
        assertEquals(applied.atRevision(9), core.board.status().active().orElseThrow());
        assertEquals(Optional.empty(), core.board.status().lastReloadError());
    }

    @Test
    void anOlderRevisionThanTheActiveOneIsReadAgainAndNeverApplied() {
        repository.stores(configuration("new.example.com"), 7);
        reload.reload();
        StoredSmtpConfiguration late = new StoredSmtpConfiguration(configuration("old.example.com"), 6, OpaqueFields.NONE);
        StoredSmtpConfiguration current = new StoredSmtpConfiguration(configuration("new.example.com"), 7, OpaqueFields.NONE);
        AtomicInteger reads = new AtomicInteger();
        repository.answers(() -> Optional.of(reads.getAndIncrement() == 0 ? late : current));

        assertEquals("new.example.com", reload.reload().orElseThrow().host());

        assertEquals(2, reads.get(), "the late answer was not read again");
        assertEquals("new.example.com", activeConfiguration().host());
        assertEquals(1, factory.built.size());
    }

    @Test
    void aBackendWhoseRevisionsWentBackIsBelievedOnTheSecondRead() {
        repository.stores(configuration("before-restore.example.com"), 1_000);
        reload.reload();
        repository.stores(configuration("after-restore.example.com"), 3);
        try (LogCapture log = LogCapture.of(ReloadSmtpConfigurationService.class)) {
            assertEquals("after-restore.example.com", reload.reload().orElseThrow().host());

            assertEquals(3, core.board.status().active().orElseThrow().revision());
            assertEquals(List.of("WARNING The revision in fake store went back from 1000 to 3; applying what it holds now"),
                    log.lines());
        }
    }

    @Test
    void aValueAtTheActiveRevisionOrANewerOneIsReadOnce() {
        repository.stores(configuration("a.example.com"), 7);
        reload.reload();
        int readsBefore = repository.reads.get();

        reload.reload();
        repository.stores(configuration("b.example.com"), 8);
        reload.reload();

        assertEquals(readsBefore + 2, repository.reads.get());
        assertEquals("b.example.com", activeConfiguration().host());
    }

    @Test
    void eachReloadReportsHowLongItTook() {
        repository.stores(configuration("a.example.com"));
        reload.reload();
        repository.fails(new InvalidInput("port", "must be between 1 and 65535"));
        assertThrows(InvalidInput.class, reload::reload);

        assertEquals(2, metrics.durations.size());
        for (Duration took : metrics.durations) {
            assertTrue(!took.isNegative() && took.compareTo(HANG_GUARD) < 0, took.toString());
        }
    }
}
