package dev.mailservice.bootstrap.distribution;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.RedisStore;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import dev.mailservice.testkit.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of PipesHub's invalidation messages on two replicas of the packaged jar, each at the
 * deployed heap: every message asks for a reload, and however many come, both replicas stay up and
 * apply the value stored after them.
 */
class RedisFloodIT {

    private static final String SECRET_KEY = "flood-secret-key";
    private static final String KEY = RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH;
    private static final int MESSAGES = 1_000_000;
    private final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain();

    @TempDir
    Path directory;

    private static ServiceProcess replica(Path directory) throws Exception {
        return ServiceProcess.launchJarAsDeployed(directory, Map.of("PORT", "0", "KV_STORE_TYPE", "redis",
                "SECRET_KEY", SECRET_KEY, "REDIS_HOST", REDIS.host(), "REDIS_PORT", Integer.toString(REDIS.port()),
                "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", SCOPED_SECRET), Path.of(System.getProperty("service.jar")));
    }

    /**
     * The reloads {@code replica} made once they stopped growing (no new one for a second), failing if the process
     * ends first or they grow for two minutes.
     */
    private static double settledReloads(ServiceProcess replica, ServiceClient client) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        double last = -1;
        while (System.nanoTime() < end) {
            assertTrue(replica.isAlive(), "a replica ended: " + replica.output());
            double now = reloads(client);
            if (now == last) {
                return now;
            }
            last = now;
            Thread.sleep(1_000);
        }
        throw new AssertionError("the reloads went on growing for two minutes: " + last);
    }

    /** The reloads a replica made from Redis so far, whatever their outcome. */
    private static double reloads(ServiceClient client) throws Exception {
        String metrics = client.metrics();
        double total = 0;
        for (String outcome : new String[] {"applied", "unchanged", "nothing_stored", "invalid", "backend_unavailable"}) {
            total += ServiceClient.metric(metrics, "mailservice_reloads_total", "source=\"redis\"",
                    "outcome=\"" + outcome + "\"");
        }
        return total;
    }

    private String configuration(String host) {
        return cipher.encrypt("{\"host\": \"" + host + "\", \"port\": 587, \"fromEmail\": \"noreply@example.com\"}");
    }

    @Test
    void aMillionInvalidationsLeaveBothReplicasUpAndApplyingTheValueStoredAfterThem() throws Exception {
        try (RedisTestClient redis = REDIS.client()) {
            // By default Redis drops a subscriber more than 32 MB behind, which would spare the replicas the flood.
            redis.configure("client-output-buffer-limit", "pubsub 0 0 0");
            redis.set(KEY, configuration("before.example.com"));
            try (ServiceProcess first = replica(directory);
                    ServiceProcess second = replica(directory);
                    ServiceClient firstClient = new ServiceClient(first.awaitReadyPort(), SCOPED_SECRET);
                    ServiceClient secondClient = new ServiceClient(second.awaitReadyPort(), SCOPED_SECRET)) {
                firstClient.statusWithin(Duration.ofSeconds(30), status -> status.contains("before.example.com"));
                secondClient.statusWithin(Duration.ofSeconds(30), status -> status.contains("before.example.com"));

                double firstBefore = reloads(firstClient);
                double secondBefore = reloads(secondClient);
                redis.publishMany(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH, MESSAGES);
                redis.set(KEY, configuration("after.example.com"));
                redis.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);

                // A guard against a replica that fell behind for good, not a speed target.
                firstClient.statusWithin(Duration.ofSeconds(120), status -> status.contains("after.example.com"));
                secondClient.statusWithin(Duration.ofSeconds(120), status -> status.contains("after.example.com"));
                // The last value may show while the messages before it are still being read: both replicas must
                // also get through all of them, up, without a reload for each.
                for (ServiceProcess replica : List.of(first, second)) {
                    ServiceClient client = replica == first ? firstClient : secondClient;
                    double before = replica == first ? firstBefore : secondBefore;
                    double settled = settledReloads(replica, client);
                    assertTrue(settled - before < MESSAGES / 2.0, settled - before + " reloads for " + MESSAGES
                            + " messages");
                }
            }
        }
    }
}
