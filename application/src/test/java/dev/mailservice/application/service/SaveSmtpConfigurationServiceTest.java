package dev.mailservice.application.service;

import static dev.mailservice.application.service.Fakes.configuration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.StoredVersions;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SaveSmtpConfigurationServiceTest {

    private final Fakes.Metrics metrics = new Fakes.Metrics();

    private final Fakes.Repository repository = new Fakes.Repository();
    private final Fakes.TransportFactory factory = new Fakes.TransportFactory();
    private final Core core = new Core(repository, factory, metrics);
    private final ReloadSmtpConfigurationService reload = core.reload();
    private final SaveSmtpConfigurationService save = core.save(Optional.empty());
    private final GetStoredSmtpConfigurationService stored = core.stored();

    /** Every field of {@code configuration} given. */
    private static SmtpConfigurationChange given(SmtpConfiguration configuration) {
        return new SmtpConfigurationChange(Field.of(Optional.of(configuration.host())), configuration.port(),
                configuration.secure(), Field.of(configuration.username()),
                Field.of(configuration.password().map(password -> password.reveal())),
                Field.of(Optional.of(configuration.fromEmail().value())), OpaqueFields.NONE);
    }

    /** As an admin sends back what the masked view showed: the password kept, the rest as given. */
    private static SmtpConfigurationChange keepingThePassword(SmtpConfiguration configuration) {
        SmtpConfigurationChange change = given(configuration);
        return new SmtpConfigurationChange(change.host(), change.port(), change.secure(), change.username(), Field.KEEP,
                change.fromEmail(), OpaqueFields.NONE);
    }

    private SmtpConfiguration active() {
        return core.board.status().active().orElseThrow().configuration();
    }

    @Test
    void storesAndAppliesTheConfiguration() {
        SmtpConfiguration saved = save.save(given(configuration("new.example.com")));

        assertEquals(configuration("new.example.com"), saved);
        assertEquals(List.of(configuration("new.example.com")), repository.saved);
        assertEquals(Optional.of(configuration("new.example.com")), stored.stored().configuration().map(StoredSmtpConfiguration::configuration));
        assertEquals("new.example.com", active().host());
        assertEquals(101, core.board.status().active().orElseThrow().revision());
    }

    /** What readiness says of the backend follows saves as well as reloads. */
    @Test
    void aSaveNotesWhetherItReachedTheBackend() {
        repository.fails(new BackendUnavailable("etcd did not answer within 1000 ms", null));
        assertThrows(BackendUnavailable.class, reload::reload);
        assertFalse(core.board.lastBackendContact().orElseThrow().reachable());
        repository.stores(configuration("old.example.com"));

        save.save(given(configuration("new.example.com")));

        assertTrue(core.board.lastBackendContact().orElseThrow().reachable(), "a save reached it");
        repository.fails(new BackendUnavailable("etcd did not answer within 1000 ms", null));
        assertThrows(BackendUnavailable.class, () -> save.save(given(configuration("newer.example.com"))));
        assertFalse(core.board.lastBackendContact().orElseThrow().reachable(), "a save did not reach it");
    }

    @Test
    void anInvalidConfigurationIsNeitherStoredNorAppliedNorARecordedReloadError() {
        SmtpConfigurationChange invalid = new SmtpConfigurationChange(Field.of(Optional.of("new.example.com")), 0, false,
                Field.of(Optional.empty()), Field.of(Optional.empty()), Field.of(Optional.of("a@example.com")),
                OpaqueFields.NONE);

        InvalidInput refusal = assertThrows(InvalidInput.class, () -> save.save(invalid));

        assertEquals(Optional.of("port"), refusal.field());
        assertEquals(List.of(), repository.saved);
        assertEquals(Optional.empty(), core.board.status().active());
        assertEquals(Optional.empty(), core.board.status().lastReloadError(), "a refused submission is not a reload error");
    }

    @Test
    void valuesToKeepAreTakenFromWhatIsStored() {
        save.save(given(configuration("old.example.com")));
        SmtpConfigurationChange change = new SmtpConfigurationChange(Field.KEEP, 587, false, Field.KEEP, Field.KEEP,
                Field.of(Optional.of("changed@example.com")), OpaqueFields.NONE);

        SmtpConfiguration saved = save.save(change);

        assertEquals("old.example.com", saved.host());
        assertEquals(587, saved.port());
        assertEquals("pa55word", saved.password().orElseThrow().reveal());
        assertEquals("changed@example.com", saved.fromEmail().value());
    }

    @Test
    void theStoredPasswordIsKeptOnlyForTheSameHostPortTlsAndUsername() {
        save.save(given(configuration("smtp.example.com")));
        SmtpConfiguration stored = configuration("smtp.example.com");
        for (SmtpConfiguration elsewhere : List.of(
                SmtpConfiguration.of("attacker.example.net", 587, "user", null, "noreply@example.com", false),
                SmtpConfiguration.of("smtp.example.com", 587, "someone-else", null, "noreply@example.com", false),
                SmtpConfiguration.of("smtp.example.com", 587, null, null, "noreply@example.com", false),
                SmtpConfiguration.of("smtp.example.com", 2525, "user", null, "noreply@example.com", false),
                SmtpConfiguration.of("smtp.example.com", 587, "user", null, "noreply@example.com", true))) {

            InvalidInput refusal = assertThrows(InvalidInput.class, () -> save.save(keepingThePassword(elsewhere)));

            assertEquals(Optional.of("password"), refusal.field());
            assertEquals("password must be given again: the stored password is kept only while host, port, secure and "
                    + "username stay the same", refusal.getMessage());
        }
        assertEquals(List.of(stored), repository.saved);
    }

    @Test
    void aNewPasswordMayGoWithANewHost() {
        save.save(given(configuration("smtp.example.com")));

        SmtpConfiguration saved = save.save(given(SmtpConfiguration.of("new.example.net", 587, "user", "a-new-one",
                "noreply@example.com", false)));

        assertEquals("a-new-one", saved.password().orElseThrow().reveal());
    }

    @Test
    void aValueToKeepWithNothingStoredIsRefusedByName() {
        InvalidInput refusal = assertThrows(InvalidInput.class,
                () -> save.save(keepingThePassword(configuration("smtp.example.com"))));

        assertEquals(Optional.of("password"), refusal.field());
        assertEquals("password is to be kept as stored, but no password is stored", refusal.getMessage());
    }

    @Test
    void anUnreachableBackendStoresNothing() {
        repository.fails(new BackendUnavailable("etcd did not answer", null));

        assertThrows(BackendUnavailable.class, () -> save.save(keepingThePassword(configuration("a.example.com"))));

        assertEquals(List.of(), repository.saved);
    }

    @Test
    void aSaveThatWaitsLongerThanTwoCallsOfTheBackendStoresNothingAndAnswersUnavailable() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            repository.stores(configuration("held.example.com"));
            CountDownLatch readStarted = new CountDownLatch(1);
            CountDownLatch readMayFinish = new CountDownLatch(1);
            repository.holdsReads(readStarted, readMayFinish);
            repository.callLimit = Duration.ofMillis(50);
            CompletableFuture<Optional<SmtpConfiguration>> underWay = CompletableFuture.supplyAsync(reload::reload,
                    task -> Thread.ofPlatform().start(task));
            Fakes.await(readStarted);

            BackendUnavailable refusal = assertThrows(BackendUnavailable.class,
                    () -> save.save(given(configuration("saved.example.com"))));

            assertTrue(refusal.retryAfter().isPresent(), "no time to try again after");
            assertEquals(List.of(), repository.saved);
            readMayFinish.countDown();
            assertEquals("held.example.com", underWay.get().orElseThrow().host());
            assertEquals("held.example.com", active().host());
        });
    }

    @Test
    void concurrentSavesWithoutRevisionsLeaveTheLastStoredOneActive() throws Exception {
        repository.versioned = false;
        CountDownLatch firstStored = new CountDownLatch(1);
        CountDownLatch firstMayGoOn = new CountDownLatch(1);
        repository.afterSave = () -> {
            repository.afterSave = () -> {};
            firstStored.countDown();
            Fakes.await(firstMayGoOn);
        };
        // A thread each: the common pool may have a single one on a small machine.
        Executor ownThread = task -> Thread.ofPlatform().start(task);
        CompletableFuture<SmtpConfiguration> first = CompletableFuture.supplyAsync(
                () -> save.save(given(configuration("first.example.com"))), ownThread);
        Fakes.await(firstStored);

        // Stored after the first; were it applied before the first is, the first would win.
        CompletableFuture<SmtpConfiguration> second = CompletableFuture.supplyAsync(
                () -> save.save(given(configuration("second.example.com"))), ownThread);
        Thread.sleep(300);
        firstMayGoOn.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);

        assertEquals(repository.load().orElseThrow().configuration(), active());
        assertEquals("second.example.com", active().host());
    }

    @Test
    void aSaveAfterTheBackendsHistoryWentBackAppliesWhatItStored() {
        // Active at revision 500; the backend, restored from a backup, numbers the save's write 101.
        repository.stores(configuration("before-the-restore.example.com"), 500);
        reload.reload();

        SmtpConfiguration answered = save.save(given(configuration("saved.example.com")));

        assertEquals(configuration("saved.example.com"), answered);
        assertEquals("saved.example.com", active().host());
    }

    @Test
    void mailGoesOutThroughTheTransportOfTheSavedConfiguration() {
        save.save(given(configuration("new.example.com")));

        core.sender.send(Fakes::message);

        assertEquals(1, factory.built.size());
        assertEquals(1, factory.last().sent.get());
    }

    @Test
    void savingTheActiveConfigurationAgainKeepsItsTransport() {
        save.save(given(configuration("same.example.com")));

        SmtpConfiguration answered = save.save(given(configuration("same.example.com")));

        assertEquals(configuration("same.example.com"), answered);
        assertEquals(1, factory.built.size(), "a transport was built for the configuration already active");
        assertEquals(102, core.board.status().active().orElseThrow().revision(), "the new revision was not noted");
    }

    @Test
    void aConfigurationStoredButWhoseTransportCannotBeBuiltIsARecordedReloadError() {
        factory.failure = new InvalidInput("host", "cannot be used by this transport");

        assertThrows(InvalidInput.class, () -> save.save(given(configuration("new.example.com"))));

        assertEquals(List.of(configuration("new.example.com")), repository.saved);
        assertEquals("host cannot be used by this transport",
                core.board.status().lastReloadError().orElseThrow().message());
    }

    @Test
    void writesOnlyOverTheRevisionItRead() {
        repository.stores(configuration("old.example.com"), 7);

        save.save(given(configuration("new.example.com")));

        assertEquals(List.of(7L), repository.expectedRevisions);
    }

    @Test
    void aWriteThatCameBetweenTheReadAndTheSaveMakesItAConflictThatStoresAndAppliesNothing() {
        repository.stores(configuration("old.example.com"), 7);
        reload.reload();
        AtomicInteger reads = new AtomicInteger();
        StoredSmtpConfiguration read = new StoredSmtpConfiguration(configuration("old.example.com"), 7, OpaqueFields.NONE);
        StoredSmtpConfiguration writtenMeanwhile = new StoredSmtpConfiguration(configuration("other.example.com"), 8, OpaqueFields.NONE);
        repository.answers(() -> Optional.of(reads.getAndIncrement() == 0 ? read : writtenMeanwhile));
        SmtpConfigurationChange change = keepingThePassword(SmtpConfiguration.of("old.example.com", 587, "user", null,
                "changed@example.com", false));

        assertThrows(WriteConflict.class, () -> save.save(change));

        assertEquals(List.of(7L), repository.expectedRevisions);
        assertEquals(List.of(), repository.saved);
        assertEquals("old.example.com", active().host());
        assertEquals("noreply@example.com", active().fromEmail().value());
    }

    @Test
    void aSaveOverNothingStoredDoesNotWriteOverAValueCreatedAfterItsRead() {
        String nothingStored = stored.stored().version();
        AtomicInteger reads = new AtomicInteger();
        StoredSmtpConfiguration createdMeanwhile = new StoredSmtpConfiguration(configuration("other.example.com"), 9,
                OpaqueFields.NONE);
        repository.answers(() -> reads.getAndIncrement() == 0 ? Optional.empty() : Optional.of(createdMeanwhile));

        assertThrows(WriteConflict.class, () -> save.save(given(configuration("mine.example.com")),
                Optional.of(StoredVersions.oneOf(Set.of(nothingStored)))));

        assertEquals(List.of(StoredSmtpConfiguration.UNVERSIONED), repository.expectedRevisions, "a write that creates");
        assertEquals(List.of(), repository.saved);
    }

    @Test
    void fieldsTheServiceDoesNotKnowAreStoredBesideTheConfigurationUntouched() {
        SmtpConfigurationChange change = given(configuration("new.example.com"));
        OpaqueFields others = new OpaqueFields(Map.of("replyTo", "ops@example.com", "provider", Map.of("name", "acme", "tier", 2)));

        save.save(new SmtpConfigurationChange(change.host(), change.port(), change.secure(), change.username(), change.password(),
                change.fromEmail(), others));

        assertEquals(others, stored.stored().configuration().orElseThrow().otherFields());
        assertEquals(configuration("new.example.com"), stored.stored().configuration().orElseThrow().configuration());
    }

    @Test
    void aSaveOverAVersionStoresNothingWhenWhatIsStoredChangedSince() {
        repository.stores(Fakes.configuration("a.example.com"), 7);
        String readVersion = stored.stored().version();
        repository.stores(Fakes.configuration("changed.example.com"), 8);

        WriteConflict conflict = assertThrows(WriteConflict.class,
                () -> save.save(given(Fakes.configuration("mine.example.com")), Optional.of(StoredVersions.oneOf(Set.of(readVersion)))));

        assertTrue(conflict.getMessage().contains("changed since it was read"), conflict.getMessage());
        assertEquals(List.of(), repository.saved);
        String nowVersion = stored.stored().version();
        save.save(given(Fakes.configuration("mine.example.com")), Optional.of(StoredVersions.oneOf(Set.of(nowVersion))));
        assertEquals(List.of(Fakes.configuration("mine.example.com")), repository.saved);
        assertEquals(List.of(8L), repository.expectedRevisions, "written over the revision of the version checked");
    }

    @Test
    void aSaveOverAVersionStoresNothingWhenOnlyThePasswordChangedSince() {
        repository.stores(SmtpConfiguration.of("a.example.com", 587, "user", "first-password", "a@example.com", false), 7);
        String readVersion = stored.stored().version();
        repository.stores(SmtpConfiguration.of("a.example.com", 587, "user", "second-password", "a@example.com", false), 7);

        assertThrows(WriteConflict.class,
                () -> save.save(given(Fakes.configuration("mine.example.com")), Optional.of(StoredVersions.oneOf(Set.of(readVersion)))));

        assertEquals(List.of(), repository.saved);
    }

    @Test
    void aSaveOverAnyVersionNeedsSomethingStored() {
        WriteConflict conflict = assertThrows(WriteConflict.class,
                () -> save.save(given(Fakes.configuration("mine.example.com")), Optional.of(StoredVersions.any())));
        assertTrue(conflict.getMessage().contains("No SMTP configuration is stored"), conflict.getMessage());
        assertEquals(List.of(), repository.saved);

        repository.stores(Fakes.configuration("a.example.com"), 7);
        save.save(given(Fakes.configuration("mine.example.com")), Optional.of(StoredVersions.any()));
        assertEquals(List.of(Fakes.configuration("mine.example.com")), repository.saved);
    }

    @Test
    void aSaveOverAListOfVersionsStoresWhenOneIsWhatIsStored() {
        repository.stores(Fakes.configuration("a.example.com"), 7);

        assertThrows(WriteConflict.class, () -> save.save(given(Fakes.configuration("mine.example.com")),
                Optional.of(StoredVersions.oneOf(Set.of()))));
        save.save(given(Fakes.configuration("mine.example.com")),
                Optional.of(StoredVersions.oneOf(Set.of("1-000000000000000000000000", stored.stored().version()))));

        assertEquals(List.of(Fakes.configuration("mine.example.com")), repository.saved);
    }
}
