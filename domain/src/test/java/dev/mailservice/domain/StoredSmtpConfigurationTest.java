package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
