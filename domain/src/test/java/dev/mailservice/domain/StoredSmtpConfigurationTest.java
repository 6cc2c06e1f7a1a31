package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
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
    void aVersionChangesWithWhatIsStoredSecretsIncludedAndOnlyWithIt() {
        VersionKey key = VersionKey.derivedFrom("a-secret-every-replica-shares");
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, "u", "s3cret-pw", "a@example.com",
                false);
        StoredSmtpConfiguration stored = new StoredSmtpConfiguration(configuration, 7, OpaqueFields.NONE);

        assertEquals(stored.version(key), new StoredSmtpConfiguration(configuration, 7, OpaqueFields.NONE)
                .version(VersionKey.derivedFrom("a-secret-every-replica-shares")), "the same on every replica");
        assertEquals(stored.version(key), new StoredSmtpConfiguration(configuration, 8, OpaqueFields.NONE).version(key),
                "the same value written again at another revision");
        assertNotEquals(stored.version(key), new StoredSmtpConfiguration(SmtpConfiguration.of("smtp.example.com", 587, "u",
                "s3cret-pw", "b@example.com", false), 7, OpaqueFields.NONE).version(key));
        assertNotEquals(stored.version(key), new StoredSmtpConfiguration(configuration, 7,
                new OpaqueFields(Map.of("tlsPolicy", "strict"))).version(key));
        assertNotEquals(stored.version(key), new StoredSmtpConfiguration(SmtpConfiguration.of("smtp.example.com", 587, "u",
                "another-pw", "a@example.com", false), 7, OpaqueFields.NONE).version(key), "a change of password alone");
    }

    @Test
    void aVersionChangesWithAnOAuth2SecretAlone() {
        VersionKey key = VersionKey.derivedFrom("a-secret-every-replica-shares");
        SmtpConfiguration password = SmtpConfiguration.of("smtp.office365.com", 587, "u@example.com", null,
                "u@example.com", false);
        SmtpConfiguration one = password.withOAuth2(Optional.of(OAuth2Login.of(microsoft("client-secret-one"))));
        SmtpConfiguration other = password.withOAuth2(Optional.of(OAuth2Login.of(microsoft("client-secret-two"))));

        assertNotEquals(new StoredSmtpConfiguration(one, 0, OpaqueFields.NONE).version(key),
                new StoredSmtpConfiguration(other, 0, OpaqueFields.NONE).version(key));
    }

    @Test
    void aVersionCannotBeComputedWithoutTheKey() {
        // One who reads a version but holds another key (or none) cannot test guesses of what it covers.
        SmtpConfiguration configuration = SmtpConfiguration.of("hidden-relay.internal", 587, "u", "pw", "a@example.com",
                false);
        StoredSmtpConfiguration stored = new StoredSmtpConfiguration(configuration, 3, OpaqueFields.NONE);

        assertNotEquals(stored.version(VersionKey.derivedFrom("the-replicas-secret")),
                stored.version(VersionKey.derivedFrom("a-guessers-secret")));
        assertEquals(StoredSmtpConfiguration.NOTHING_STORED,
                StoredSmtpConfiguration.versionOf(Optional.empty(), VersionKey.derivedFrom("the-replicas-secret")));
    }

    @Test
    void aVersionKeyNeedsASecretAndNeverPrintsIt() {
        assertThrows(IllegalArgumentException.class, () -> VersionKey.derivedFrom(""));
        assertFalse(VersionKey.derivedFrom("the-replicas-secret").toString().contains("replicas"));
    }

    private static Map<String, String> microsoft(String clientSecret) {
        return Map.of("kind", "microsoft", "tenantId", "contoso.onmicrosoft.com",
                "clientId", "00000000-0000-0000-0000-000000000001", "clientSecret", clientSecret);
    }
}
