package dev.mailservice.bootstrap.pipeshub;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.PipesHubTokenSecrets;
import dev.mailservice.adapters.config.RedisStore;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PipesHub's callers against the packaged jar on Redis, PipesHub's default store, set up as a
 * PipesHub deployment is: its variables only (KV_STORE_TYPE, REDIS_HOST, REDIS_PORT, SECRET_KEY;
 * no SMTP_CONFIG_BACKEND), the token secrets read from its /services/secretKeys, every write made
 * as PipesHub makes it (SET, then PUBLISH of the path).
 */
class PipesHubCallersOnRedisIT extends PipesHubCallers {

    private static final String SECRET_KEY = "deployment-secret-key-of-pipeshub";
    private static final AesGcmCipher CIPHER = new AesGcmCipher(SECRET_KEY);

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain();

    @TempDir
    static Path directory;

    private static RedisTestClient redis;

    @BeforeAll
    static void start() throws Exception {
        redis = REDIS.client();
        redis.set(RedisStore.DEFAULT_KEY_PREFIX + PipesHubTokenSecrets.PATH, CIPHER.encrypt("{\"jwtSecret\": \""
                + JWT_SECRET + "\", \"scopedJwtSecret\": \"" + SCOPED_SECRET + "\", \"cookieSecret\": \"another-secret\"}"));
        startJar(directory, Map.of("KV_STORE_TYPE", "redis", "SECRET_KEY", SECRET_KEY, "REDIS_HOST", REDIS.host(),
                "REDIS_PORT", Integer.toString(REDIS.port()), "PORT", "0"));
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @Override
    void clearStore() {
        redis.delete(RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH);
    }

    @Override
    void storeAsPipesHub(String json) {
        redis.set(RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH, CIPHER.encrypt(json));
        redis.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);
    }

    @Override
    boolean hidesSecretConfig() {
        return false;
    }
}
