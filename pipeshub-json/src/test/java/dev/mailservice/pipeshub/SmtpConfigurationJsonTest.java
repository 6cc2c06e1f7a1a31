package dev.mailservice.pipeshub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.pipeshub.SmtpConfigurationJson.PasswordShown;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmtpConfigurationJsonTest {

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

    private static SmtpConfiguration read(Map<String, Object> fields) {
        return SmtpConfigurationJson.read(fields, 0).configuration();
    }

    private static InvalidInput refusal(Map<String, Object> fields) {
        return assertThrows(InvalidInput.class, () -> read(fields));
    }

    @Test
    void readsTheContractsFields() {
        assertEquals(SmtpConfiguration.of("smtp.example.com", 587, "ops@example.com", SECRET, "noreply@example.com", false),
                read(validFields()));
    }

    @Test
    void keepsTheRevisionAndTheFieldsItDoesNotKnowAside() {
        Map<String, Object> fields = new LinkedHashMap<>(validFields());
        fields.put("tlsPolicy", "strict");
        fields.put("provider", Map.of("name", "acme"));

        StoredSmtpConfiguration stored = SmtpConfigurationJson.read(fields, 42);

        assertEquals(42, stored.revision());
        assertEquals(Map.of("tlsPolicy", "strict", "provider", Map.of("name", "acme")), stored.otherFields().fields());
    }

    @Test
    void acceptsAPortWrittenAsAString() {
        Map<String, Object> fields = validFields();
        fields.put("port", "465");

        assertEquals(465, read(fields).port());
    }

    @Test
    void refusesAPortThatIsNotAWholeNumberAndOneOutOfRange() {
        for (Object port : List.of(587.5, "abc", true, " 25", "25\n", "+25", "-25", "2 5", "", "99999999999")) {
            Map<String, Object> fields = validFields();
            fields.put("port", port);

            InvalidInput refusal = refusal(fields);
            assertEquals(Optional.of("port"), refusal.field(), "port " + port);
            assertEquals("port must be a whole number: a JSON number or a string of digits alone", refusal.getMessage());
        }
        for (Object port : List.of(99_999_999_999L, "9999999999", 70_000)) {
            Map<String, Object> fields = validFields();
            fields.put("port", port);

            assertEquals("port must be between 1 and 65535", refusal(fields).getMessage(), "port " + port);
        }
    }

    @Test
    void refusesAMissingRequiredFieldByName() {
        for (String field : List.of("host", "port", "fromEmail")) {
            Map<String, Object> fields = validFields();
            fields.remove(field);

            assertEquals(field + " is required", refusal(fields).getMessage());
        }
    }

    @Test
    void aValuePastedIntoTheWrongFieldIsNeverQuoted() {
        for (String field : List.of("host", "port", "username", "fromEmail")) {
            Map<String, Object> fields = validFields();
            fields.put(field, "P@ss word\u0000" + SECRET);

            InvalidInput refusal = refusal(fields);
            assertEquals(Optional.of(field), refusal.field());
            assertFalse(refusal.getMessage().contains(SECRET), field + ": " + refusal.getMessage());
        }
        Map<String, Object> numericPassword = validFields();
        numericPassword.put("password", 123456789);
        InvalidInput refusal = refusal(numericPassword);
        assertEquals("password must be a string", refusal.getMessage());
    }

    @Test
    void writesTheContractsOrderAndThePasswordOnlyAsAsked() {
        SmtpConfiguration configuration = read(validFields());

        assertEquals(List.of("host", "port", "username", "fromEmail"),
                List.copyOf(SmtpConfigurationJson.write(configuration, PasswordShown.OMITTED, OpaqueFields.NONE).keySet()));
        Map<String, Object> masked = SmtpConfigurationJson.write(configuration, PasswordShown.MASKED, OpaqueFields.NONE);
        assertEquals(List.of("host", "port", "username", "password", "fromEmail"), List.copyOf(masked.keySet()));
        assertEquals("****************", masked.get("password"));
        assertEquals(SECRET, SmtpConfigurationJson.write(configuration, PasswordShown.REVEALED, OpaqueFields.NONE)
                .get("password"));
    }

    @Test
    void leavesOutWhatIsNotSetAndPutsTheOtherFieldsAfter() {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 25, null, null, "a@example.com", false);

        Map<String, Object> written = SmtpConfigurationJson.write(configuration, PasswordShown.MASKED,
                new OpaqueFields(Map.of("tlsPolicy", "strict")));

        assertEquals(List.of("host", "port", "fromEmail", "tlsPolicy"), List.copyOf(written.keySet()));
    }

    @Test
    void secureIsWrittenOnlyWhenTrueAndReadAsABooleanAlone() {
        SmtpConfiguration plain = SmtpConfiguration.of("smtp.example.com", 2465, null, null, "a@example.com", false);
        SmtpConfiguration secure = SmtpConfiguration.of("smtp.example.com", 2465, null, null, "a@example.com", true);

        assertFalse(SmtpConfigurationJson.write(plain, PasswordShown.OMITTED, OpaqueFields.NONE).containsKey("secure"));
        Map<String, Object> written = SmtpConfigurationJson.write(secure, PasswordShown.OMITTED, OpaqueFields.NONE);
        assertEquals(true, written.get("secure"));
        assertEquals(secure, SmtpConfigurationJson.read(written, 0).configuration());
        Map<String, Object> quoted = new LinkedHashMap<>(written);
        quoted.put("secure", "true");
        assertEquals("secure must be true or false", assertThrows(InvalidInput.class,
                () -> SmtpConfigurationJson.read(quoted, 0)).getMessage());
    }

    @Test
    void whatIsWrittenReadsBackTheSame() {
        Map<String, Object> fields = validFields();
        fields.put("fromEmail", "\"Acme, Inc.\" <noreply@acme.test>");
        StoredSmtpConfiguration stored = SmtpConfigurationJson.read(fields, 0);

        assertEquals(stored, SmtpConfigurationJson.read(
                SmtpConfigurationJson.write(stored.configuration(), PasswordShown.REVEALED, stored.otherFields()), 0));
    }

    @Test
    void aSubmissionsPlaceholdersAreValuesToKeep() {
        Map<String, Object> submitted = new LinkedHashMap<>(validFields());
        submitted.put("host", SmtpConfigurationJson.PLACEHOLDER);
        submitted.put("password", SmtpConfigurationJson.PLACEHOLDER);
        submitted.remove("username");
        submitted.put("port", "2525");
        submitted.put("secure", true);

        SmtpConfigurationChange change = SmtpConfigurationJson.change(submitted);

        assertEquals(Field.KEEP, change.host());
        assertEquals(Field.KEEP, change.password());
        assertEquals(Field.of(Optional.empty()), change.username());
        assertEquals(Field.of(Optional.of("noreply@example.com")), change.fromEmail());
        assertEquals(2525, change.port());
        assertTrue(change.secure());
        assertEquals(Map.of(), change.otherFields().fields());
        assertTrue(assertThrows(InvalidInput.class,
                () -> SmtpConfigurationJson.change(Map.of("host", 25, "port", 25))).getMessage().startsWith("host"));
    }

    private static Map<String, Object> withOAuth2(Map<String, Object> oauth2) {
        Map<String, Object> fields = new LinkedHashMap<>(validFields());
        fields.put("oauth2", oauth2);
        return fields;
    }

    private static Map<String, Object> refreshTokenLogin() {
        Map<String, Object> oauth2 = new LinkedHashMap<>();
        oauth2.put("kind", "refreshToken");
        oauth2.put("tokenUrl", "https://idp.example.com/token");
        oauth2.put("clientId", "app");
        oauth2.put("clientSecret", "client-" + SECRET);
        oauth2.put("refreshToken", "refresh-" + SECRET);
        return oauth2;
    }

    @Test
    void readsAnOAuth2LoginAndWritesItBackWithItsSecretsAsShown() {
        SmtpConfiguration configuration = read(withOAuth2(refreshTokenLogin()));

        assertEquals("refreshToken", configuration.oauth2().orElseThrow().kind());
        assertEquals(refreshTokenLogin(), SmtpConfigurationJson.write(configuration, PasswordShown.REVEALED,
                OpaqueFields.NONE).get("oauth2"), "stored as read");
        assertEquals(Map.of("kind", "refreshToken", "tokenUrl", "https://idp.example.com/token", "clientId", "app",
                "clientSecret", SmtpConfigurationJson.PLACEHOLDER, "refreshToken", SmtpConfigurationJson.PLACEHOLDER),
                SmtpConfigurationJson.write(configuration, PasswordShown.MASKED, OpaqueFields.NONE).get("oauth2"));
        Map<String, Object> internal = SmtpConfigurationJson.write(configuration, PasswordShown.PASSWORD_REVEALED,
                OpaqueFields.NONE);
        assertEquals(SECRET, internal.get("password"), "the internal route's callers log in with the password");
        assertEquals(Map.of("kind", "refreshToken", "tokenUrl", "https://idp.example.com/token", "clientId", "app"),
                internal.get("oauth2"), "and have no use for the OAuth 2.0 secrets");
        Map<String, Object> omitted = SmtpConfigurationJson.write(configuration, PasswordShown.OMITTED, OpaqueFields.NONE);
        assertEquals(Map.of("kind", "refreshToken", "tokenUrl", "https://idp.example.com/token", "clientId", "app"),
                omitted.get("oauth2"));
        assertFalse(omitted.toString().contains(SECRET), omitted.toString());
        assertFalse(SmtpConfigurationJson.write(read(validFields()), PasswordShown.REVEALED, OpaqueFields.NONE)
                .containsKey("oauth2"), "a password login is written as PipesHub writes it");
    }

    @Test
    void refusesAnIllFormedOAuth2LoginByFieldWithoutItsValue() {
        assertEquals("oauth2.kind", refusal(withOAuth2(Map.of())).field().orElseThrow(), "an empty object has no kind");
        Map<String, Object> notAnObject = new LinkedHashMap<>(validFields());
        notAnObject.put("oauth2", "microsoft");
        assertEquals("oauth2", refusal(notAnObject).field().orElseThrow());

        Map<String, Object> numberSecret = refreshTokenLogin();
        numberSecret.put("refreshToken", 42);
        assertEquals("oauth2.refreshToken", refusal(withOAuth2(numberSecret)).field().orElseThrow());

        Map<String, Object> misspelt = refreshTokenLogin();
        misspelt.put("clientSecert", "client-" + SECRET);
        InvalidInput unknownName = refusal(withOAuth2(misspelt));
        assertEquals("oauth2.clientSecert", unknownName.field().orElseThrow());
        assertTrue(unknownName.getMessage().contains("clientSecret"), unknownName.getMessage());
        assertFalse(unknownName.getMessage().contains(SECRET), unknownName.getMessage());

        Map<String, Object> unknownKind = refreshTokenLogin();
        unknownKind.put("kind", "basic");
        assertEquals("oauth2.kind", refusal(withOAuth2(unknownKind)).field().orElseThrow());

        Map<String, Object> noUser = withOAuth2(refreshTokenLogin());
        noUser.remove("username");
        assertEquals("username", refusal(noUser).field().orElseThrow());
    }

    @Test
    void aSubmittedOAuth2PlaceholderKeepsTheStoredValue() {
        Map<String, Object> oauth2 = refreshTokenLogin();
        oauth2.put("refreshToken", SmtpConfigurationJson.PLACEHOLDER);

        SmtpConfigurationChange change = SmtpConfigurationJson.change(withOAuth2(oauth2));

        Map<String, Field> fields = change.oauth2().orElseThrow();
        assertEquals(Field.KEEP, fields.get("refreshToken"));
        assertEquals(Field.of(Optional.of("client-" + SECRET)), fields.get("clientSecret"));
        assertEquals(Field.of(Optional.of("refreshToken")), fields.get("kind"));
        assertEquals(Optional.empty(), SmtpConfigurationJson.change(validFields()).oauth2());
        assertEquals(OpaqueFields.NONE, change.otherFields(), "oauth2 is a known field, not an other one");
    }
}
