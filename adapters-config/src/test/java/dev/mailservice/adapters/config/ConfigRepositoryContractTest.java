package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.InvalidSmtpConfigurationException;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ConfigRepository} promises, run against each backend by a subclass that
 * says how to put a raw document into its store.
 */
abstract class ConfigRepositoryContractTest {

    static final String SECRET = "Sup3r-Secret-Pa55";
    static final String VALID_DOCUMENT = """
            {"host": "smtp.example.com", "port": 587, "username": "ops@example.com",
             "password": "%s", "fromEmail": "noreply@example.com"}""".formatted(SECRET);

    /** The repository under test, reading the store that {@link #storeRaw} writes to. */
    abstract ConfigRepository repository();

    /** Puts {@code document} in the store as the configuration, exactly as given. */
    abstract void storeRaw(String document) throws Exception;

    /** The name the backend reports as its source. */
    abstract String expectedSourceName();

    private InvalidSmtpConfigurationException refusalOf(String document) throws Exception {
        storeRaw(document);
        InvalidSmtpConfigurationException refusal =
                assertThrows(InvalidSmtpConfigurationException.class, () -> repository().load());
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

        assertEquals(Optional.of(SmtpConfiguration.of("smtp.example.com", 587, "ops@example.com", SECRET,
                "noreply@example.com")), repository().load());
    }

    @Test
    void everyReadSeesTheLatestStoredValue() throws Exception {
        storeRaw(VALID_DOCUMENT);
        repository().load();
        storeRaw(VALID_DOCUMENT.replace("smtp.example.com", "smtp.other.example"));

        assertEquals("smtp.other.example", repository().load().orElseThrow().host());
    }

    @Test
    void aMalformedDocumentIsInvalidWithLineAndColumnAndNoPassword() throws Exception {
        InvalidSmtpConfigurationException refusal = refusalOf("""
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
        InvalidSmtpConfigurationException refusal = refusalOf(VALID_DOCUMENT.replace("587", "70000"));

        assertEquals(Optional.of("port"), refusal.field());
        assertTrue(refusal.getMessage().endsWith("is invalid: port must be between 1 and 65535, got 70000"),
                refusal.getMessage());
    }

    @Test
    void aMissingRequiredFieldIsInvalidAndNamed() throws Exception {
        assertEquals(Optional.of("fromEmail"),
                refusalOf("{\"host\": \"smtp.example.com\", \"port\": 25}").field());
    }

    @Test
    void reportsItsSourceName() {
        assertEquals(expectedSourceName(), repository().sourceName());
    }
}
