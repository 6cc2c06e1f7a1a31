package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ConfigRepository} promises, run against each backend by a subclass that
 * says how to put a raw document into its store.
 */
abstract class ConfigRepositoryContractTest {

    static final String SECRET = "Sup3rSecretPa55";
    static final String VALID_DOCUMENT = """
            {"host": "smtp.example.com", "port": 587, "username": "ops@example.com",
             "password": "%s", "fromEmail": "noreply@example.com"}""".formatted(SECRET);
    /** The longest value the repositories under test read. */
    static final int MAX_VALUE_BYTES = 64 * 1024;

    /** The repository under test, reading the store that {@link #storeRaw} writes to. */
    abstract ConfigRepository repository();

    /** Puts {@code document} in the store as the configuration, exactly as given. */
    abstract void storeRaw(String document) throws Exception;

    /** The name the backend reports as its source. */
    abstract String expectedSourceName();

    private InvalidInput refusalOf(String document) throws Exception {
        storeRaw(document);
        InvalidInput refusal =
                assertThrows(InvalidInput.class, () -> repository().load());
        assertFalse(refusal.getMessage().contains(SECRET), "the message shows the password: " + refusal.getMessage());
        assertTrue(refusal.getMessage().contains(repository().location()),
                "the message does not say where: " + refusal.getMessage());
        return refusal;
    }

    @Test
    void nothingStoredIsAnEmptyAnswer() {
        assertEquals(Optional.empty(), repository().load());
    }

    @Test
    void readsTheStoredConfiguration() throws Exception {
        storeRaw(VALID_DOCUMENT);

        assertEquals(SmtpConfiguration.of("smtp.example.com", 587, "ops@example.com", SECRET, "noreply@example.com", false),
                repository().load().orElseThrow().configuration());
    }

    @Test
    void everyReadSeesTheLatestStoredValue() throws Exception {
        storeRaw(VALID_DOCUMENT);
        repository().load();
        storeRaw(VALID_DOCUMENT.replace("smtp.example.com", "smtp.other.example"));

        assertEquals("smtp.other.example", repository().load().orElseThrow().configuration().host());
    }

    @Test
    void aMalformedDocumentIsInvalidWithLineAndColumnAndNoPassword() throws Exception {
        InvalidInput refusal = refusalOf("""
                {"host": "smtp.example.com",
                 "password": %s,
                 "port": 587}""".formatted(SECRET));

        assertTrue(refusal.getMessage().contains("is not valid JSON (line 2, column"), refusal.getMessage());
    }

    @Test
    void aTruncatedDocumentIsInvalid() throws Exception {
        String message = refusalOf("{\"host\": \"smtp.example.com\",").getMessage();
        assertTrue(message.contains("is not valid JSON (line 1, column 29)"), message);
    }

    @Test
    void aDocumentThatIsNotAnObjectIsInvalid() throws Exception {
        assertTrue(refusalOf("[\"smtp.example.com\", 587]").getMessage().contains("must be a JSON object, found array"));
    }

    @Test
    void anEmptyDocumentIsInvalid() throws Exception {
        assertTrue(refusalOf("").getMessage().contains("is empty"));
    }

    @Test
    void aDuplicatedFieldIsInvalid() throws Exception {
        refusalOf("{\"host\": \"a\", \"port\": 25, \"port\": 587, \"fromEmail\": \"a@b.c\"}");
    }

    @Test
    void aFieldThatBreaksARuleIsInvalidAndNamed() throws Exception {
        InvalidInput refusal = refusalOf(VALID_DOCUMENT.replace("587", "70000"));

        assertEquals(Optional.of("port"), refusal.field());
        assertTrue(refusal.getMessage().endsWith("is invalid: port must be between 1 and 65535"),
                refusal.getMessage());
    }

    @Test
    void aMissingRequiredFieldIsInvalidAndNamed() throws Exception {
        assertEquals(Optional.of("fromEmail"),
                refusalOf("{\"host\": \"smtp.example.com\", \"port\": 25}").field());
    }

    @Test
    void aValueLongerThanTheLimitIsInvalidAndSaysSo() throws Exception {
        String message = refusalOf(withPadding(MAX_VALUE_BYTES)).getMessage();

        assertTrue(message.endsWith(" cannot be read: the value is longer than the limit of " + MAX_VALUE_BYTES + " bytes"), message);
    }

    @Test
    void aValueWithinTheLimitIsRead() throws Exception {
        storeRaw(withPadding(MAX_VALUE_BYTES / 4));

        assertEquals("smtp.example.com", repository().load().orElseThrow().configuration().host());
    }

    @Test
    void aSaveLongerThanTheLimitReadBackIsRefusedAndStoresNothing() throws Exception {
        storeRaw(VALID_DOCUMENT);
        long before = repository().currentRevision();
        SmtpConfiguration configuration = SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false);

        InvalidInput refusal = assertThrows(InvalidInput.class, () -> repository().save(configuration,
                new OpaqueFields(Map.of("padding", "x".repeat(MAX_VALUE_BYTES))), before));

        assertTrue(refusal.getMessage().startsWith("The SMTP configuration would be stored in " + repository().location()
                + " as "), refusal.getMessage());
        assertTrue(refusal.getMessage().endsWith(" bytes, over the limit of " + MAX_VALUE_BYTES
                + " bytes that the service reads (STORED_VALUE_MAX_BYTES); nothing was stored"), refusal.getMessage());
        assertEquals("smtp.example.com", repository().load().orElseThrow().configuration().host());
        assertEquals(before, repository().currentRevision());
    }

    /** {@link #VALID_DOCUMENT} with a field the service does not know, {@code characters} long. */
    static String withPadding(int characters) {
        return VALID_DOCUMENT.replaceFirst("\\{", "{\"padding\": \"" + "x".repeat(characters) + "\", ");
    }

    @Test
    void reportsItsSourceName() {
        assertEquals(expectedSourceName(), repository().backendName());
    }

    @Test
    void savedThenReadGivesTheSameConfiguration() {
        SmtpConfiguration configuration =
                SmtpConfiguration.of("smtp.example.com", 465, "ops@example.com", SECRET, "noreply@example.com", false);

        long revision = repository().save(configuration, OpaqueFields.NONE, repository().currentRevision());

        StoredSmtpConfiguration read = repository().load().orElseThrow();
        assertEquals(configuration, read.configuration());
        assertEquals(revision, read.revision());
    }

    @Test
    void numbersInFieldsTheServiceDoesNotKnowAreSavedAsTheyWereWritten() throws Exception {
        String numbers = "[1e999999999, 0.1000000000000000055511151231257827, 1e2, -0, 123456789012345678901234567890, -7]";
        storeRaw(VALID_DOCUMENT.replace("}", ", \"limits\": " + numbers + "}"));

        StoredSmtpConfiguration read = repository().load().orElseThrow();
        assertEquals(numbers, String.valueOf(read.otherFields().fields().get("limits")));
        repository().save(read.configuration(), read.otherFields(), repository().currentRevision());

        assertEquals(read.otherFields(), repository().load().orElseThrow().otherFields());
    }

    @Test
    void fieldsTheServiceDoesNotKnowAreReadAndSavedAsTheyAre() throws Exception {
        storeRaw(VALID_DOCUMENT.replace("}", ", \"tlsPolicy\": \"strict\", \"provider\": {\"name\": \"acme\", \"ids\": [1, 2]}}"));

        StoredSmtpConfiguration read = repository().load().orElseThrow();
        assertEquals(Map.of("tlsPolicy", "strict", "provider", Map.of("name", "acme", "ids", List.of(1, 2))),
                read.otherFields().fields());
        assertFalse(read.otherFields().toString().contains("acme"), "an unknown field's value was printed");

        repository().save(read.configuration(), read.otherFields(), repository().currentRevision());

        assertEquals(read.otherFields(), repository().load().orElseThrow().otherFields());
        assertEquals(read.configuration(), repository().load().orElseThrow().configuration());
    }

    @Test
    void aSaveReplacesWhatWasStored() throws Exception {
        storeRaw(VALID_DOCUMENT);
        SmtpConfiguration replacement = SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false);

        repository().save(replacement, OpaqueFields.NONE, repository().currentRevision());

        assertEquals(replacement, repository().load().orElseThrow().configuration());
    }

    @Test
    void aSavedConfigurationIsAnnounced() throws Exception {
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository().watch(announcements::incrementAndGet)) {
            awaitWatching(announcements);
            int before = announcements.get();

            repository().save(SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false),
                    OpaqueFields.NONE, repository().currentRevision());

            eventually(() -> announcements.get() > before, "the save was not announced");
        }
    }

    @Test
    void theCurrentRevisionIsTheRevisionOfWhatLoadReads() throws Exception {
        assertEquals(StoredSmtpConfiguration.UNVERSIONED, repository().currentRevision(), "nothing stored");
        storeRaw(VALID_DOCUMENT);

        assertEquals(repository().load().orElseThrow().revision(), repository().currentRevision());
    }

    @Test
    void anInvalidStoredValueCanBeSavedOver() throws Exception {
        storeRaw("{not json");
        SmtpConfiguration replacement = SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false);

        repository().save(replacement, OpaqueFields.NONE, repository().currentRevision());

        assertEquals(replacement, repository().load().orElseThrow().configuration());
    }

    @Test
    void aLaterValueNeverHasASmallerRevision() throws Exception {
        storeRaw(VALID_DOCUMENT);
        long first = repository().load().orElseThrow().revision();
        storeRaw(VALID_DOCUMENT.replace("587", "2525"));

        assertTrue(repository().load().orElseThrow().revision() >= first);
    }

    @Test
    void announcesAChange() throws Exception {
        storeRaw(VALID_DOCUMENT);
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository().watch(announcements::incrementAndGet)) {
            awaitWatching(announcements);
            int before = announcements.get();

            storeRaw(VALID_DOCUMENT.replace("587", "2525"));

            eventually(() -> announcements.get() > before, "the change was not announced");
        }
    }

    @Test
    void announcesNothingOnceTheSubscriptionIsClosed() throws Exception {
        AtomicInteger announcements = new AtomicInteger();
        repository().watch(announcements::incrementAndGet).close();
        int before = announcements.get();

        storeRaw(VALID_DOCUMENT);

        Thread.sleep(500);
        assertEquals(before, announcements.get());
    }

    /** Whether a watch announces its own start (etcd's and Redis's do, to re-read what they may have missed). */
    boolean watchAnnouncesItsStart() {
        return false;
    }

    /**
     * Waits until a watch just opened is watching: its own start announced, where it announces
     * it, and no announcement coming any more. A change made before that could be seen through
     * the start's announcement alone, and prove nothing about the watch.
     */
    void awaitWatching(AtomicInteger announcements) throws InterruptedException {
        if (watchAnnouncesItsStart()) {
            eventually(() -> announcements.get() > 0, "the watch did not announce its start");
        }
        awaitQuiet(announcements);
    }

    /** Waits until announcements stop coming (a watch may announce its own start). */
    static void awaitQuiet(AtomicInteger announcements) throws InterruptedException {
        int seen;
        do {
            seen = announcements.get();
            Thread.sleep(300);
        } while (announcements.get() != seen);
    }

    /** Waits for what a watch does on its own thread; a guard against a hang, not a speed target. */
    static void eventually(BooleanSupplier condition, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            Thread.sleep(10);
        }
    }
}
