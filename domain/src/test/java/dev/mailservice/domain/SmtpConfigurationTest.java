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
        assertEquals(Mailbox.parse("noreply@example.com"), configuration.fromEmail());
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
    @ValueSource(strings = {"", "   ", "smtp example.com", "smtp\u0000.example.com", "smtp\u202e.example.com",
            "127.0.0.1:25", "smtp://smtp.example.com", "smtp.example.com/", "-smtp.example.com", "smtp-.example.com",
            "smtp..example.com", "256.1.1.1", "1.2.3", "1::2::3", "1:2:3:4:5:6:7:8:9", "[::1", "fe80::1%eth0",
            "smtp.example.com\n", "\tsmtp.example.com", "exa\u200bmple.com", "local\u00adhost", "a\ufeffb.example"})
    void refusesAHostThatIsNeitherANameNorAnAddressWithoutQuotingIt(String host) {
        Map<String, Object> fields = validFields();
        fields.put("host", host);

        InvalidSmtpConfigurationException refusal = refusal(fields);
        assertEquals(Optional.of("host"), refusal.field());
        assertFalse(!host.isBlank() && refusal.getMessage().contains(host), refusal.getMessage());
    }

    @Test
    void refusesAHostLongerThanADnsNameMayBe() {
        Map<String, Object> fields = validFields();
        fields.put("host", ("a".repeat(63) + ".").repeat(4) + "com");

        assertEquals(Optional.of("host"), refusal(fields).field());
        fields.put("host", "a".repeat(5_000));
        assertEquals(Optional.of("host"), refusal(fields).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"smtp.example.com", "localhost", "mail_relay", "smtp-relay.default.svc.cluster.local",
            "smtp.example.com.", "xn--bcher-kva.example", "bücher.example", "10.0.0.25", "::1", "[::1]",
            "2001:db8::25", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8"})
    void acceptsDnsNamesAndAddresses(String host) {
        Map<String, Object> fields = validFields();
        fields.put("host", host);

        assertEquals(host, SmtpConfiguration.fromFields(fields).host());
    }

    @Test
    void anInternationalHostIsConnectedToInItsAsciiForm() {
        assertEquals("xn--mnchen-3ya.example", SmtpConfiguration.of("münchen.example", 25, null, null, "a@b.c").asciiHost());
        assertEquals("xn--mnchen-3ya.example", SmtpConfiguration.of("münchen\u3002example", 25, null, null, "a@b.c").asciiHost());
        assertEquals("smtp.example.com", SmtpConfiguration.of("smtp.example.com", 25, null, null, "a@b.c").asciiHost());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops\r\n@example.com", "ops\u0000", "ops\u007f"})
    void refusesAUsernameWithControlCharacters(String username) {
        Map<String, Object> fields = validFields();
        fields.put("username", username);

        InvalidSmtpConfigurationException refusal = refusal(fields);
        assertEquals(Optional.of("username"), refusal.field());
        assertFalse(refusal.getMessage().contains(username), refusal.getMessage());
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
        assertEquals("port must be between 1 and 65535", refusal.getMessage());
    }

    @Test
    void acceptsThePortRangeBounds() {
        assertEquals(1, SmtpConfiguration.of("h", 1, null, null, "a@b.c").port());
        assertEquals(65_535, SmtpConfiguration.of("h", 65_535, null, null, "a@b.c").port());
    }

    @Test
    void refusesAPortThatIsNotAWholeNumber() {
        for (Object port : List.of(587.5, "abc", true, 99_999_999_999L, "99999999999", " 25", "25\n", "+25", "-25",
                "2 5", "")) {
            Map<String, Object> fields = validFields();
            fields.put("port", port);

            assertEquals(Optional.of("port"), refusal(fields).field(), "port " + port);
        }
    }

    @Test
    void aValuePastedIntoTheWrongFieldIsNeverQuoted() {
        for (String field : List.of("host", "port", "username", "fromEmail")) {
            Map<String, Object> fields = validFields();
            fields.put(field, "P@ss word\u0000" + SECRET);

            InvalidSmtpConfigurationException refusal = refusal(fields);
            assertEquals(Optional.of(field), refusal.field());
            assertFalse(refusal.getMessage().contains(SECRET), field + ": " + refusal.getMessage());
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
            "a@b@example.com", "Name <noreply@example>x", "Name <not an address>", "Name noreply@example.com",
            "a@example..com", "a@-example.com", "Name\r\nBcc: x@example.com <noreply@example.com>"})
    void refusesAFromEmailThatIsNotAnAddress(String fromEmail) {
        Map<String, Object> fields = validFields();
        fields.put("fromEmail", fromEmail);

        InvalidSmtpConfigurationException refusal = refusal(fields);
        assertEquals(Optional.of("fromEmail"), refusal.field());
        assertTrue(refusal.getMessage().startsWith("fromEmail must be an e-mail address"), refusal.getMessage());
    }

    @Test
    void keepsAPasswordWithoutAUsernameAndWarnsThatItCannotBeUsed() {
        Map<String, Object> fields = validFields();
        fields.remove("username");

        SmtpConfiguration configuration = SmtpConfiguration.fromFields(fields);

        assertEquals(SECRET, configuration.password().orElseThrow().reveal());
        assertEquals(List.of("A password is set but no username: SMTP AUTH is not attempted; set a username to log in"),
                configuration.warnings());
        assertEquals(List.of(), SmtpConfiguration.fromFields(validFields()).warnings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Acme <noreply@acme.test>", "\"Acme, Inc.\" <noreply@acme.test>", "Zoë Ltd <zoe@acme.test>",
            "<noreply@acme.test>"})
    void acceptsAFromEmailWithADisplayNameAndStoresItInTheSameForm(String fromEmail) {
        Map<String, Object> fields = validFields();
        fields.put("fromEmail", fromEmail);

        SmtpConfiguration configuration = SmtpConfiguration.fromFields(fields);

        assertTrue(configuration.fromEmail().address().value().endsWith("@acme.test"));
        assertEquals(configuration, SmtpConfiguration.fromFields(configuration.toFields(PasswordDisclosure.REVEALED)));
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
    void thePlaceholderPasswordIsKeptOnlyForTheSameHostAndUsername() {
        SmtpConfiguration stored = SmtpConfiguration.fromFields(validFields());
        for (Map.Entry<String, Object> change : Map.<String, Object>of(
                "host", "attacker.example.net", "username", "someone-else@example.com").entrySet()) {
            Map<String, Object> submitted = new HashMap<>(stored.toFields(PasswordDisclosure.MASKED));
            submitted.put(change.getKey(), change.getValue());

            InvalidSmtpConfigurationException refusal = assertThrows(InvalidSmtpConfigurationException.class,
                    () -> SmtpConfiguration.fromSubmittedFields(submitted, Optional.of(stored)), change.getKey());

            assertEquals(Optional.of("password"), refusal.field());
            assertEquals("password must be given again: the stored password is kept only while host and username "
                    + "stay the same", refusal.getMessage());
        }
        Map<String, Object> dropsTheUsername = new HashMap<>(stored.toFields(PasswordDisclosure.MASKED));
        dropsTheUsername.remove("username");
        assertThrows(InvalidSmtpConfigurationException.class,
                () -> SmtpConfiguration.fromSubmittedFields(dropsTheUsername, Optional.of(stored)));
    }

    @Test
    void thePlaceholderPasswordFollowsAChangeOfPortOrSenderAndAHostGivenByPlaceholder() {
        SmtpConfiguration stored = SmtpConfiguration.fromFields(validFields());
        Map<String, Object> submitted = new HashMap<>(stored.toFields(PasswordDisclosure.MASKED));
        submitted.put("host", SmtpConfiguration.PLACEHOLDER);
        submitted.put("username", SmtpConfiguration.PLACEHOLDER);
        submitted.put("port", 465);
        submitted.put("fromEmail", "other@example.com");

        SmtpConfiguration saved = SmtpConfiguration.fromSubmittedFields(submitted, Optional.of(stored));

        assertEquals(SECRET, saved.password().orElseThrow().reveal());
        assertEquals(465, saved.port());
    }

    @Test
    void aNewPasswordMayGoWithANewHost() {
        SmtpConfiguration stored = SmtpConfiguration.fromFields(validFields());
        Map<String, Object> submitted = validFields();
        submitted.put("host", "new.example.net");
        submitted.put("password", "a-new-one");

        assertEquals("a-new-one",
                SmtpConfiguration.fromSubmittedFields(submitted, Optional.of(stored)).password().orElseThrow().reveal());
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
