package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StoredSmtpConfigurationTest {

    private static final SmtpConfiguration CONFIGURATION =
            SmtpConfiguration.of("smtp.example.com", 587, null, null, "noreply@example.com", false);

    @Test
    void aBackendWithoutRevisionsStoresAtRevisionZeroWithNoOtherFields() {
        StoredSmtpConfiguration stored = new StoredSmtpConfiguration(CONFIGURATION, StoredSmtpConfiguration.UNVERSIONED, OpaqueFields.NONE);

        assertEquals(0, stored.revision());
        assertEquals(OpaqueFields.NONE, stored.otherFields());
    }

    @Test
    void aRevisionIsNeverNegative() {
        assertThrows(IllegalArgumentException.class, () -> new StoredSmtpConfiguration(CONFIGURATION, -1, OpaqueFields.NONE));
        assertEquals(1, new StoredSmtpConfiguration(CONFIGURATION, 1, OpaqueFields.NONE).revision());
    }

    @Test
    void aVersionChangesWithWhatIsStoredButTellsNoSecret() {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, "u", "s3cret-pw", "a@example.com",
                false);
        StoredSmtpConfiguration stored = new StoredSmtpConfiguration(configuration, 7, OpaqueFields.NONE);

        assertEquals(stored.version(), new StoredSmtpConfiguration(configuration, 7, OpaqueFields.NONE).version());
        assertNotEquals(stored.version(), new StoredSmtpConfiguration(configuration, 8, OpaqueFields.NONE).version());
        assertNotEquals(stored.version(), new StoredSmtpConfiguration(SmtpConfiguration.of("smtp.example.com", 587, "u",
                "s3cret-pw", "b@example.com", false), 7, OpaqueFields.NONE).version());
        assertNotEquals(stored.version(), new StoredSmtpConfiguration(configuration, 7,
                new OpaqueFields(java.util.Map.of("tlsPolicy", "strict"))).version());
        assertEquals(stored.version(), new StoredSmtpConfiguration(SmtpConfiguration.of("smtp.example.com", 587, "u",
                "another-pw", "a@example.com", false), 7, OpaqueFields.NONE).version(), "a secret is not part of it");
        assertTrue(stored.version().startsWith("7-"), stored.version());
    }
}
