package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.domain.SmtpConfiguration.PasswordDisclosure;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpConfigurationTest {

    private static final String SECRET = "s3cret-Pa55";

    private static Map<String, Object> validFields() {
        Map<String, Object> fields = new HashMap<>();
        fields.put("host", "smtp.example.com");
        fields.put("port", 587);
        fields.put("username", "ops@example.com");
        fields.put("password", SECRET);
        fields.put("fromEmail", "noreply@example.com");
        return fields;
    }

    private static InvalidSmtpConfigurationException refusal(Map<String, Object> fields) {
        return assertThrows(InvalidSmtpConfigurationException.class, () -> SmtpConfiguration.fromFields(fields));
    }

    @Test
    void buildsFromTheContractsFields() {
        SmtpConfiguration configuration = SmtpConfiguration.fromFields(validFields());

        assertEquals("smtp.example.com", configuration.host());
        assertEquals(587, configuration.port());
        assertEquals(Optional.of("ops@example.com"), configuration.username());
        assertEquals(SECRET, configuration.password().orElseThrow().reveal());
        assertEquals(new EmailAddress("noreply@example.com"), configuration.fromEmail());
    }

    @Test
    void usernameAndPasswordAreOptionalAndBlankMeansAbsent() {
        Map<String, Object> fields = validFields();
        fields.put("username", "");
        fields.remove("password");

        SmtpConfiguration configuration = SmtpConfiguration.fromFields(fields);

        assertTrue(configuration.username().isEmpty());
        assertTrue(configuration.password().isEmpty());
    }

    @Test
    void acceptsAPortWrittenAsAString() {
        Map<String, Object> fields = validFields();
        fields.put("port", "465");

        assertEquals(465, SmtpConfiguration.fromFields(fields).port());
    }

    @Test
    void ignoresFieldsItDoesNotKnow() {
        Map<String, Object> fields = validFields();
        fields.put("secure", true);

        assertEquals("smtp.example.com", SmtpConfiguration.fromFields(fields).host());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "smtp example.com"})
    void refusesABadHostNamingTheField(String host) {
        Map<String, Object> fields = validFields();
        fields.put("host", host);

        assertEquals(Optional.of("host"), refusal(fields).field());
    }

    @Test
    void refusesAMissingHost() {
        Map<String, Object> fields = validFields();
        fields.remove("host");

        InvalidSmtpConfigurationException refusal = refusal(fields);
        assertEquals(Optional.of("host"), refusal.field());
        assertEquals("host is required", refusal.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65_536, 70_000})
    void refusesAPortOutsideTheRange(int port) {
        Map<String, Object> fields = validFields();
        fields.put("port", port);

        InvalidSmtpConfigurationException refusal = refusal(fields);
        assertEquals(Optional.of("port"), refusal.field());
        assertEquals("port must be between 1 and 65535, got " + port, refusal.getMessage());
    }

    @Test
    void acceptsThePortRangeBounds() {
        assertEquals(1, SmtpConfiguration.of("h", 1, null, null, "a@b.c").port());
        assertEquals(65_535, SmtpConfiguration.of("h", 65_535, null, null, "a@b.c").port());
    }

    @Test
    void refusesAPortThatIsNotAWholeNumber() {
        for (Object port : List.of(587.5, "abc", true, 99_999_999_999L, "99999999999")) {
            Map<String, Object> fields = validFields();
            fields.put("port", port);

            assertEquals(Optional.of("port"), refusal(fields).field(), "port " + port);
        }
    }

    @Test
    void refusesAMissingPort() {
        Map<String, Object> fields = validFields();
        fields.remove("port");

        assertEquals("port is required", refusal(fields).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "noreply", "noreply@", "@example.com", "no reply@example.com",
            "a@b@example.com", "Name <noreply@example.com>", "a@example..com", "a@-example.com"})
    void refusesAFromEmailThatIsNotAnAddress(String fromEmail) {
        Map<String, Object> fields = validFields();
        fields.put("fromEmail", fromEmail);

        InvalidSmtpConfigurationException refusal = refusal(fields);
        assertEquals(Optional.of("fromEmail"), refusal.field());
        assertTrue(refusal.getMessage().startsWith("fromEmail must be an e-mail address"), refusal.getMessage());
    }

    @Test
    void refusesAPasswordWithoutAUsername() {
        Map<String, Object> fields = validFields();
        fields.remove("username");

        InvalidSmtpConfigurationException refusal = refusal(fields);
        assertEquals(Optional.of("password"), refusal.field());
        assertFalse(refusal.getMessage().contains(SECRET));
    }

    @Test
    void refusesAPasswordOfTheWrongTypeWithoutQuotingIt() {
        Map<String, Object> fields = validFields();
        fields.put("password", 123456789);

        InvalidSmtpConfigurationException refusal = refusal(fields);
        assertEquals(Optional.of("password"), refusal.field());
        assertFalse(refusal.getMessage().contains("123456789"), refusal.getMessage());
    }

    @Test
    void toStringNeverShowsThePassword() {
        SmtpConfiguration configuration = SmtpConfiguration.fromFields(validFields());

        assertFalse(configuration.toString().contains(SECRET), configuration.toString());
        assertTrue(configuration.toString().contains("smtp.example.com"));
    }

    @Test
    void toFieldsKeepsTheContractsOrderAndLeavesThePasswordOutUnlessAskedFor() {
        SmtpConfiguration configuration = SmtpConfiguration.fromFields(validFields());

        assertEquals(List.of("host", "port", "username", "fromEmail"),
                List.copyOf(configuration.toFields(PasswordDisclosure.OMITTED).keySet()));
        assertEquals(List.of("host", "port", "username", "password", "fromEmail"),
                List.copyOf(configuration.toFields(PasswordDisclosure.REVEALED).keySet()));
        assertEquals(SECRET, configuration.toFields(PasswordDisclosure.REVEALED).get("password"));
    }

    @Test
    void toFieldsLeavesOutAMissingUsername() {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 25, null, null, "a@example.com");

        assertEquals(Map.of("host", "smtp.example.com", "port", 25, "fromEmail", "a@example.com"),
                configuration.toFields(PasswordDisclosure.REVEALED));
    }

    @Test
    void fieldsRoundTrip() {
        SmtpConfiguration configuration = SmtpConfiguration.fromFields(validFields());

        assertEquals(configuration,
                SmtpConfiguration.fromFields(configuration.toFields(PasswordDisclosure.REVEALED)));
    }

    @Test
    void theMaskedViewShowsThePlaceholderForASetPassword() {
        Map<String, Object> masked = SmtpConfiguration.fromFields(validFields()).toFields(PasswordDisclosure.MASKED);

        assertEquals("****************", masked.get("password"));
        assertEquals(List.of("host", "port", "username", "password", "fromEmail"), List.copyOf(masked.keySet()));
        assertFalse(SmtpConfiguration.of("h", 25, null, null, "a@b.c").toFields(PasswordDisclosure.MASKED)
                .containsKey("password"), "a placeholder for a password that is not set");
    }

    @Test
    void submittedPlaceholdersKeepTheStoredValues() {
        SmtpConfiguration stored = SmtpConfiguration.fromFields(validFields());
        Map<String, Object> submitted = new HashMap<>(stored.toFields(PasswordDisclosure.MASKED));
        submitted.put("host", SmtpConfiguration.PLACEHOLDER);
        submitted.put("port", 2525);

        SmtpConfiguration saved = SmtpConfiguration.fromSubmittedFields(submitted, Optional.of(stored));

        assertEquals("smtp.example.com", saved.host());
        assertEquals(2525, saved.port());
        assertEquals(SECRET, saved.password().orElseThrow().reveal());
    }

    @Test
    void aPlaceholderWithNothingStoredIsRefusedByName() {
        Map<String, Object> submitted = validFields();
        submitted.put("password", SmtpConfiguration.PLACEHOLDER);

        InvalidSmtpConfigurationException refusal = assertThrows(InvalidSmtpConfigurationException.class,
                () -> SmtpConfiguration.fromSubmittedFields(submitted, Optional.empty()));

        assertEquals(Optional.of("password"), refusal.field());
    }

    @Test
    void aSubmissionWithoutPlaceholdersIsTakenAsItIs() {
        SmtpConfiguration stored = SmtpConfiguration.of("old.example.com", 25, null, null, "old@example.com");

        assertEquals(SmtpConfiguration.fromFields(validFields()),
                SmtpConfiguration.fromSubmittedFields(validFields(), Optional.of(stored)));
    }
}
