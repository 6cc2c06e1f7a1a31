package dev.mailservice.application.service;

import static dev.mailservice.application.service.Fakes.configuration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mailservice.application.port.out.ConfigBackendUnavailableException;
import dev.mailservice.application.port.out.ConfigWriteConflictException;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.domain.InvalidSmtpConfigurationException;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpConfiguration.PasswordDisclosure;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SaveSmtpConfigurationServiceTest {

    private final Fakes.Repository repository = new Fakes.Repository();
    private final Fakes.TransportFactory factory = new Fakes.TransportFactory();
    private final ActiveMailSender sender = new ActiveMailSender();
    private final ReloadSmtpConfigurationService reload =
            new ReloadSmtpConfigurationService(repository, factory, sender, Clock.systemUTC());
    private final SaveSmtpConfigurationService save = new SaveSmtpConfigurationService(repository, reload);
    private final GetStoredSmtpConfigurationService stored = new GetStoredSmtpConfigurationService(repository);

    private static Map<String, Object> fields(SmtpConfiguration configuration) {
        return new HashMap<>(configuration.toFields(PasswordDisclosure.REVEALED));
    }

    @Test
    void storesAndAppliesTheConfiguration() {
        SmtpConfiguration saved = save.save(fields(configuration("new.example.com")));

        assertEquals(configuration("new.example.com"), saved);
        assertEquals(List.of(configuration("new.example.com")), repository.saved);
        assertEquals(Optional.of(configuration("new.example.com")), stored.stored().map(StoredSmtpConfiguration::configuration));
        assertEquals("new.example.com", sender.status().active().orElseThrow().configuration().host());
        assertEquals(101, sender.status().active().orElseThrow().revision());
    }

    @Test
    void anInvalidConfigurationIsNeitherStoredNorApplied() {
        Map<String, Object> invalid = fields(configuration("new.example.com"));
        invalid.put("port", 0);

        assertThrows(InvalidSmtpConfigurationException.class, () -> save.save(invalid));

        assertEquals(List.of(), repository.saved);
        assertEquals(Optional.empty(), sender.status().active());
        assertEquals(Optional.empty(), sender.status().lastReloadError(), "a refused submission is not a reload error");
    }

    @Test
    void placeholdersKeepTheStoredValues() {
        save.save(fields(configuration("old.example.com")));
        Map<String, Object> submitted = new HashMap<>(configuration("old.example.com").toFields(PasswordDisclosure.MASKED));
        submitted.put("fromEmail", "changed@example.com");

        SmtpConfiguration saved = save.save(submitted);

        assertEquals("pa55word", saved.password().orElseThrow().reveal());
        assertEquals("changed@example.com", saved.fromEmail().value());
    }

    @Test
    void anUnreachableBackendStoresNothing() {
        repository.fails(new ConfigBackendUnavailableException("etcd did not answer", null));
        Map<String, Object> submitted = new HashMap<>(configuration("a.example.com").toFields(PasswordDisclosure.MASKED));

        assertThrows(ConfigBackendUnavailableException.class, () -> save.save(submitted));

        assertEquals(List.of(), repository.saved);
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
                () -> save.save(fields(configuration("first.example.com"))), ownThread);
        Fakes.await(firstStored);

        // Stored after the first; were it applied before the first is, the first would win.
        CompletableFuture<SmtpConfiguration> second = CompletableFuture.supplyAsync(
                () -> save.save(fields(configuration("second.example.com"))), ownThread);
        Thread.sleep(300);
        firstMayGoOn.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);

        assertEquals(repository.load().orElseThrow().configuration(), sender.status().active().orElseThrow().configuration());
        assertEquals("second.example.com", sender.status().active().orElseThrow().configuration().host());
    }

    @Test
    void aNewerRevisionAppliedMeanwhileIsKept() {
        repository.stores(configuration("newest.example.com"), 500);
        reload.reload();

        save.save(fields(configuration("saved.example.com")));

        assertEquals("newest.example.com", sender.status().active().orElseThrow().configuration().host());
    }

    @Test
    void writesOnlyOverTheRevisionItRead() {
        repository.stores(configuration("old.example.com"), 7);

        save.save(fields(configuration("new.example.com")));

        assertEquals(List.of(7L), repository.expectedRevisions);
    }

    @Test
    void aWriteThatCameBetweenTheReadAndTheSaveMakesItAConflictThatStoresAndAppliesNothing() {
        repository.stores(configuration("old.example.com"), 7);
        reload.reload();
        AtomicInteger reads = new AtomicInteger();
        StoredSmtpConfiguration read = new StoredSmtpConfiguration(configuration("old.example.com"), 7);
        StoredSmtpConfiguration writtenMeanwhile = new StoredSmtpConfiguration(configuration("other.example.com"), 8);
        repository.answers(() -> Optional.of(reads.getAndIncrement() == 0 ? read : writtenMeanwhile));
        Map<String, Object> submitted = new HashMap<>(configuration("old.example.com").toFields(PasswordDisclosure.MASKED));
        submitted.put("port", 2525);

        assertThrows(ConfigWriteConflictException.class, () -> save.save(submitted));

        assertEquals(List.of(7L), repository.expectedRevisions);
        assertEquals(List.of(), repository.saved);
        assertEquals("old.example.com", sender.status().active().orElseThrow().configuration().host());
        assertEquals(587, sender.status().active().orElseThrow().configuration().port());
    }

    @Test
    void fieldsTheServiceDoesNotKnowAreStoredBesideTheConfigurationUntouched() {
        Map<String, Object> submitted = fields(configuration("new.example.com"));
        submitted.put("secure", true);
        submitted.put("provider", Map.of("name", "acme", "tier", 2));

        save.save(submitted);

        assertEquals(Map.of("secure", true, "provider", Map.of("name", "acme", "tier", 2)),
                stored.stored().orElseThrow().otherFields().fields());
        assertEquals(configuration("new.example.com"), stored.stored().orElseThrow().configuration());
    }
}
