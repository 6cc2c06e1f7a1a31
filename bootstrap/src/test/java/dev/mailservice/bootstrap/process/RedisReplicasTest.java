package dev.mailservice.bootstrap.process;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.RedisStore;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import dev.mailservice.testkit.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two service processes on one Redis, as two replicas of a PipesHub deployment: what PipesHub
 * writes reaches both by itself, and so does a change made while Redis was away.
 */
class RedisReplicasTest {

    private static final String SECRET_KEY = "replicas-secret-key";
    private static final String KEY = RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH;
    private final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain();

    @TempDir
    Path directory;

    private static Map<String, String> replicaEnvironment() {
        return Map.of("PORT", "0", "KV_STORE_TYPE", "redis", "SECRET_KEY", SECRET_KEY, "REDIS_HOST", REDIS.host(),
                "REDIS_PORT", Integer.toString(REDIS.port()), "REDIS_TIMEOUT", "1000",
                "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", SCOPED_SECRET);
    }

    private String configuration(String host) {
        return cipher.encrypt("{\"host\": \"" + host + "\", \"port\": 587, \"fromEmail\": \"noreply@example.com\"}");
    }

    @Test
    void aSetAndPublishAsPipesHubMakesThemReachesBothReplicas() throws Exception {
        try (RedisTestClient redis = REDIS.client();
                ServiceProcess first = ServiceProcess.launch(directory, replicaEnvironment());
                ServiceProcess second = ServiceProcess.launch(directory, replicaEnvironment());
                ServiceClient firstClient = new ServiceClient(first.awaitReadyPort(), SCOPED_SECRET);
                ServiceClient secondClient = new ServiceClient(second.awaitReadyPort(), SCOPED_SECRET)) {
            // The first value may reach a replica through the reload its subscription makes when it
            // starts; once both show it, both are subscribed, and the second can only come as a message.
            for (String host : new String[] {"smtp-a.example.com", "smtp-b.example.com"}) {
                redis.set(KEY, configuration(host));
                redis.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);

                // A guard against a lost message, not a speed target: the benchmark measures that.
                firstClient.statusWithin(Duration.ofSeconds(30), status -> status.contains(host));
                secondClient.statusWithin(Duration.ofSeconds(30), status -> status.contains(host));
            }
        }
    }

    @Test
    void aChangeMadeWhileRedisWasAwayIsAppliedByBothOnceItIsBackWithNoCall() throws Exception {
        try (RedisTestClient redis = REDIS.client()) {
            redis.set(KEY, configuration("before.example.com"));
        }
        try (ServiceProcess first = ServiceProcess.launch(directory, replicaEnvironment());
                ServiceProcess second = ServiceProcess.launch(directory, replicaEnvironment());
                ServiceClient firstClient = new ServiceClient(first.awaitReadyPort(), SCOPED_SECRET);
                ServiceClient secondClient = new ServiceClient(second.awaitReadyPort(), SCOPED_SECRET)) {
            firstClient.statusWithin(Duration.ofSeconds(30), status -> status.contains("before.example.com"));
            secondClient.statusWithin(Duration.ofSeconds(30), status -> status.contains("before.example.com"));

            REDIS.stop();
            REDIS.changeWhileStopped(redis -> redis.set(KEY, configuration("after.example.com")));
            REDIS.restart();

            // Resubscribing waits up to 5 s between attempts; the guard leaves room for several.
            firstClient.statusWithin(Duration.ofSeconds(30), status -> status.contains("after.example.com"));
            secondClient.statusWithin(Duration.ofSeconds(30), status -> status.contains("after.example.com"));
        }
    }
}
