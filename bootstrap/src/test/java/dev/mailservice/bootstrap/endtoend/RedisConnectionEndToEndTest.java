package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service reaching a Redis that demands a password, an ACL user and TLS, with a logical
 * database and a key prefix of its own, all through PipesHub's variables and {@code TLS_CA_FILE}.
 */
class RedisConnectionEndToEndTest {

    private static final String SECRET_KEY = "redis-connection-secret-key";
    private static final String DEFAULT_USER_PASSWORD = "requirepass-Secret-1";
    private static final String ACL_USER = "mailservice";
    private static final String ACL_PASSWORD = "acl-Secret-2";
    private static final int DATABASE = 2;
    private static final String PREFIX = "tenant-b:";

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain().withPassword(DEFAULT_USER_PASSWORD)
            .withAclUser(ACL_USER, ACL_PASSWORD).withTls();

    @RegisterExtension
    final AssembledService service = new AssembledService(DEFAULT_USER_PASSWORD, ACL_PASSWORD);

    @BeforeAll
    static void storeAConfiguration() {
        try (RedisTestClient database = REDIS.client(DATABASE)) {
            database.set(PREFIX + "/services/smtp", new AesGcmCipher(SECRET_KEY).encrypt(
                    "{\"host\": \"smtp.tenant-b.example\", \"port\": 587, \"fromEmail\": \"noreply@tenant-b.example\"}"));
        }
    }

    private static Map<String, String> redisVariables(String... more) {
        Map<String, String> variables = new HashMap<>(Map.of("SMTP_CONFIG_BACKEND", "redis",
                "SECRET_KEY", SECRET_KEY, "REDIS_HOST", REDIS.host(), "REDIS_DB", Integer.toString(DATABASE),
                "REDIS_KV_PREFIX", PREFIX, "REDIS_TIMEOUT", "2000"));
        for (int i = 0; i < more.length; i += 2) {
            variables.put(more[i], more[i + 1]);
        }
        return variables;
    }

    private static void assertServesTheStoredConfiguration(HttpResponse<String> reload) {
        assertEquals(200, reload.statusCode(), reload.body());
        assertTrue(reload.body().contains("\"host\":\"smtp.tenant-b.example\""), reload.body());
    }

    @Test
    void theDefaultUserWithRequirepassReadsItsDatabaseAndPrefix() throws Exception {
        ServiceClient client = service.start(redisVariables("REDIS_PORT", Integer.toString(REDIS.port()),
                "REDIS_PASSWORD", DEFAULT_USER_PASSWORD));

        assertServesTheStoredConfiguration(client.reload());
        assertTrue(client.status().contains("\"source\":\"redis\""), client.status());
    }

    @Test
    void anAclUserOverTlsTrustingTheDeploymentsAuthorityReadsAndFollowsChanges() throws Exception {
        ServiceClient client = service.start(redisVariables("REDIS_PORT", Integer.toString(REDIS.tlsPort()),
                "REDIS_USERNAME", ACL_USER, "REDIS_PASSWORD", ACL_PASSWORD, "REDIS_TLS", "true",
                "TLS_CA_FILE", REDIS.caFile().toString()));
        assertServesTheStoredConfiguration(client.reload());

        // The subscription reaches Redis the same way: a change PipesHub announces applies with no call.
        try (RedisTestClient database = REDIS.client(DATABASE)) {
            database.set(PREFIX + "/services/smtp", new AesGcmCipher(SECRET_KEY).encrypt(
                    "{\"host\": \"smtp2.tenant-b.example\", \"port\": 587, \"fromEmail\": \"noreply@tenant-b.example\"}"));
            database.publish("pipeshub:cache:invalidate", "/services/smtp");
            client.statusWithin(Duration.ofSeconds(30), status -> status.contains("smtp2.tenant-b.example"));
        } finally {
            storeAConfiguration();
        }
    }

    @Test
    void overTlsWithoutTheAuthorityTheServerIsNotTrusted() throws Exception {
        ServiceClient client = service.start(redisVariables("REDIS_PORT", Integer.toString(REDIS.tlsPort()),
                "REDIS_USERNAME", ACL_USER, "REDIS_PASSWORD", ACL_PASSWORD, "REDIS_TLS", "true"));

        HttpResponse<String> reload = client.reload();

        assertEquals(503, reload.statusCode(), reload.body());
        assertTrue(reload.body().contains("the TLS handshake with Redis failed"), reload.body());
        assertFalse(reload.body().contains(Integer.toString(REDIS.tlsPort())), "an answer shows Redis's address");
    }
}
