package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ways a deployment reaches Redis ({@code REDIS_PASSWORD}, {@code REDIS_USERNAME},
 * {@code REDIS_TLS}), each against a server that demands it.
 */
class RedisConnectionOptionsTest {

    private static final String DEFAULT_USER_PASSWORD = "requirepass-Secret-1";
    private static final String ACL_USER = "mailservice";
    private static final String ACL_PASSWORD = "acl-Secret-2";
    private static final String VALUE = "stored-value";

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain().withPassword(DEFAULT_USER_PASSWORD)
            .withAclUser(ACL_USER, ACL_PASSWORD).withTls();

    @BeforeAll
    static void storeAValue() {
        try (RedisTestClient client = REDIS.client()) {
            client.set(RedisStore.DEFAULT_KEY_PREFIX + "/services/smtp", VALUE);
        }
    }

    private static Optional<String> read(int port, Optional<String> user, Optional<String> password,
            Optional<SSLContext> tls) {
        try (RedisStore store = new RedisStore(new RedisEndpoint(REDIS.host(), port, 0, user, password, tls,
                Duration.ofSeconds(2)), RedisStore.DEFAULT_KEY_PREFIX)) {
            return store.value("/services/smtp");
        }
    }

    @Test
    void theDefaultUserWithItsPasswordReads() {
        assertEquals(Optional.of(VALUE), read(REDIS.port(), Optional.empty(), Optional.of(DEFAULT_USER_PASSWORD),
                Optional.empty()));
    }

    @Test
    void anAclUserWithItsPasswordReads() {
        assertEquals(Optional.of(VALUE), read(REDIS.port(), Optional.of(ACL_USER), Optional.of(ACL_PASSWORD),
                Optional.empty()));
    }

    @Test
    void aWrongPasswordIsUnavailableAndTheMessageDoesNotShowIt() {
        BackendUnavailable refusal = assertThrows(BackendUnavailable.class, () -> read(REDIS.port(), Optional.of(ACL_USER),
                Optional.of("not-" + ACL_PASSWORD), Optional.empty()));

        assertTrue(refusal.getMessage().startsWith("Cannot read pipeshub:kv:/services/smtp: Redis at redis://127.0.0.1:"),
                refusal.getMessage());
        assertFalse(refusal.getMessage().contains(ACL_PASSWORD), refusal.getMessage());
    }

    @Test
    void noPasswordIsUnavailable() {
        assertThrows(BackendUnavailable.class, () -> read(REDIS.port(), Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void tlsReadsWhenTheServersAuthorityIsTrusted() throws Exception {
        assertEquals(Optional.of(VALUE), read(REDIS.tlsPort(), Optional.of(ACL_USER), Optional.of(ACL_PASSWORD),
                Optional.of(REDIS.trustingCaOnly())));
    }

    @Test
    void tlsRefusesAServerWhoseAuthorityIsNotTrusted() throws Exception {
        BackendUnavailable refusal = assertThrows(BackendUnavailable.class, () -> read(REDIS.tlsPort(),
                Optional.of(ACL_USER), Optional.of(ACL_PASSWORD), Optional.of(SSLContext.getDefault())));

        assertTrue(refusal.getMessage().contains("rediss://127.0.0.1:" + REDIS.tlsPort()), refusal.getMessage());
    }
}
