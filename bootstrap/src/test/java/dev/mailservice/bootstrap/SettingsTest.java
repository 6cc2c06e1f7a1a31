package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

    private static final String SECRET = "a1B2c3D4e5F6g7H8i9J0";

    private static Map<String, String> environment(String... namesAndValues) {
        Map<String, String> environment = new HashMap<>();
        environment.put("SCOPED_JWT_SECRET", SECRET);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            environment.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return environment;
    }

    private static String refusal(Map<String, String> environment) {
        return assertThrows(InvalidSettingsException.class, () -> Settings.fromEnvironment(environment)).getMessage();
    }

    @Test
    void appliesTheDefaults() {
        Settings settings = Settings.fromEnvironment(environment());

        assertEquals(3000, settings.port());
        assertEquals(Settings.Backend.FILE, settings.backend());
        assertEquals(Path.of("config/smtp.json"), settings.configFile());
        assertEquals(Duration.ofSeconds(10), settings.smtpTimeout());
        assertEquals(SECRET, settings.scopedJwtSecret());
    }

    @Test
    void readsEveryVariable() {
        Settings settings = Settings.fromEnvironment(environment("PORT", "8081", "SMTP_CONFIG_BACKEND", "FILE",
                "SMTP_CONFIG_FILE", "/etc/mail/smtp.json", "SMTP_TIMEOUT_MS", "2500"));

        assertEquals(8081, settings.port());
        assertEquals(Path.of("/etc/mail/smtp.json"), settings.configFile());
        assertEquals(Duration.ofMillis(2500), settings.smtpTimeout());
    }

    @Test
    void aMissingScopedSecretIsRefusedByName() {
        Map<String, String> environment = environment();
        environment.remove("SCOPED_JWT_SECRET");

        assertEquals("SCOPED_JWT_SECRET is required: the secret tokens are signed with, at least 20 characters",
                refusal(environment));
    }

    @Test
    void anEmptyScopedSecretIsRefusedByName() {
        assertEquals("SCOPED_JWT_SECRET is required: the secret tokens are signed with, at least 20 characters",
                refusal(environment("SCOPED_JWT_SECRET", "")));
    }

    @Test
    void aShortScopedSecretIsRefusedByNameWithoutShowingIt() {
        String message = refusal(environment("SCOPED_JWT_SECRET", "nineteen-characters"));

        assertEquals("SCOPED_JWT_SECRET is too short: 19 characters, at least 20 are needed", message);
    }

    @Test
    void aSecretOfTwentyCharactersIsEnough() {
        assertEquals(20, Settings.fromEnvironment(environment("SCOPED_JWT_SECRET", "twenty-characters-ok")).scopedJwtSecret().length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "http", "80.5"})
    void aBadPortIsRefusedByName(String port) {
        assertEquals("PORT must be a whole number from 0 to 65535, got '" + port + "'", refusal(environment("PORT", port)));
    }

    @Test
    void anUnknownBackendIsRefusedByName() {
        assertEquals("SMTP_CONFIG_BACKEND must be 'file', got 'consul'",
                refusal(environment("SMTP_CONFIG_BACKEND", "consul")));
    }

    @Test
    void aBadTimeoutIsRefusedByName() {
        assertEquals("SMTP_TIMEOUT_MS must be a whole number from 1 to 600000, got '0'",
                refusal(environment("SMTP_TIMEOUT_MS", "0")));
    }

    @Test
    void toStringLeavesTheSecretOut() {
        assertFalse(Settings.fromEnvironment(environment()).toString().contains(SECRET));
    }
}
