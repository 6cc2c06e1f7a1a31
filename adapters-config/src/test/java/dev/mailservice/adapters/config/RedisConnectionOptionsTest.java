package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
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
    /** A user with only the permissions docs/operations.md lists, on PipesHub's default prefix. */
    private static final String LEAST_PRIVILEGED_USER = "least-privileged";
    private static final String LEAST_PRIVILEGED_RULES = "~pipeshub:kv:* &pipeshub:cache:invalidate +eval +subscribe +ping "
            + "+type +strlen +get +set +time +publish";

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain().withPassword(DEFAULT_USER_PASSWORD)
            .withAclUser(ACL_USER, ACL_PASSWORD).withAclUser(LEAST_PRIVILEGED_USER, ACL_PASSWORD, LEAST_PRIVILEGED_RULES)
            .withTls();

    @BeforeAll
    static void storeAValue() {
        try (RedisTestClient client = REDIS.client()) {
            client.set(RedisStore.DEFAULT_KEY_PREFIX + "/services/smtp", VALUE);
        }
    }

    private static Optional<String> read(int port, Optional<String> user, Optional<String> password,
            Optional<SSLContext> tls) {
        try (RedisStore store = new RedisStore(new RedisEndpoint(REDIS.host(), port, 0, user, password, tls,
                Duration.ofSeconds(2)), RedisStore.DEFAULT_KEY_PREFIX,
                ConfigRepositoryContractTest.MAX_VALUE_BYTES)) {
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
    void aUserWithTheDocumentedPermissionsOnlyReadsWritesAndWatches() throws Exception {
        try (RedisStore store = new RedisStore(new RedisEndpoint(REDIS.host(), REDIS.port(), 0,
                Optional.of(LEAST_PRIVILEGED_USER), Optional.of(ACL_PASSWORD), Optional.empty(), Duration.ofSeconds(2)),
                RedisStore.DEFAULT_KEY_PREFIX, ConfigRepositoryContractTest.MAX_VALUE_BYTES)) {
            Semaphore announcements = new Semaphore(0);
            try (ConfigRepository.Subscription watching = store.watch("/services/other", announcements::release)) {
                assertTrue(announcements.tryAcquire(15, TimeUnit.SECONDS), "the subscription did not start");

                store.writeOver("/services/other", "written", 0);

                assertEquals(Optional.of("written"), store.value("/services/other"));
                assertTrue(announcements.tryAcquire(15, TimeUnit.SECONDS), "the write was not announced");
            }
        }
    }

    @Test
    void aWrongPasswordIsUnavailableAndTheMessageDoesNotShowIt() {
        BackendUnavailable refusal = assertThrows(BackendUnavailable.class, () -> read(REDIS.port(), Optional.of(ACL_USER),
                Optional.of("not-" + ACL_PASSWORD), Optional.empty()));

        assertTrue(refusal.getMessage().startsWith("Cannot read pipeshub:kv:/services/smtp: Redis answered WRONGPASS"),
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

        assertTrue(refusal.getMessage().endsWith(": the TLS handshake with Redis failed (is its certificate for its host "
                + "name, and signed by an authority this service trusts?)"), refusal.getMessage());
    }
}
