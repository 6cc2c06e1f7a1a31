package dev.mailservice.bootstrap.distribution;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.RedisStore;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import dev.mailservice.testkit.ServiceProcess;
import dev.mailservice.testkit.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 40 MB value written at the configuration's key, on the packaged jar at the deployed heap: the
 * replica refuses it as it refuses any invalid value (told by the watch and by each reload, named,
 * logged and counted) and keeps serving on the configuration it had.
 */
class RedisOversizedValueIT {

    private static final String SECRET_KEY = "oversized-secret-key";
    private static final String KEY = RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH;
    private static final long VALUE_BYTES = 40L * 1024 * 1024;
    private static final String REFUSAL = "The SMTP configuration in Redis key pipeshub:kv:/services/smtp cannot be "
            + "read: the value is longer than the limit of 1048576 bytes"; // STORED_VALUE_MAX_BYTES' default

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain();

    @TempDir
    Path directory;

    @Test
    void aFortyMegabyteValueIsRefusedWithItsReasonAndTheActiveConfigurationStays() throws Exception {
        try (RedisTestClient redis = REDIS.client();
                ServiceProcess replica = replicaOn(redis);
                ServiceClient client = new ServiceClient(replica.awaitReadyPort(), SCOPED_SECRET, SCOPED_SECRET)) {
            client.statusWithin(Duration.ofSeconds(30), status -> status.contains("before.example.com"));

            redis.lengthen(KEY, VALUE_BYTES); // the stored value, followed by zero bytes up to 40 MB
            redis.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);

            String status = client.statusWithin(Duration.ofSeconds(30), answer -> answer.contains(REFUSAL));
            assertTrue(status.contains("before.example.com"), status);
            replica.awaitLine(line -> line.contains(
                    "Reloading the SMTP configuration failed; the active one stays: " + REFUSAL), Duration.ofSeconds(10));
            assertEquals(1.0, ServiceClient.metric(client.metrics(), "mailservice_reloads_total", "source=\"redis\"",
                    "outcome=\"invalid\""));

            HttpResponse<String> reload = client.reload();
            assertEquals(400, reload.statusCode(), reload.body());
            assertEquals("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"" + REFUSAL + "\"}}", reload.body());
            HttpResponse<String> shown = client.call("GET", "/api/v1/configurationManager/smtpConfig",
                    Tokens.user(SCOPED_SECRET, "admin"), null);
            assertEquals(400, shown.statusCode(), shown.body());
            assertTrue(shown.body().contains(REFUSAL), shown.body());

            assertTrue(replica.isAlive(), String.join("\n", replica.output()));
            assertTrue(client.status().contains("before.example.com"), "the active configuration changed");
        }
    }

    private ServiceProcess replicaOn(RedisTestClient redis) throws Exception {
        redis.set(KEY, new AesGcmCipher(SECRET_KEY).encrypt(
                "{\"host\": \"before.example.com\", \"port\": 587, \"fromEmail\": \"noreply@example.com\"}"));
        return ServiceProcess.launchJarAsDeployed(directory, Map.of("PORT", "0", "KV_STORE_TYPE", "redis",
                "SECRET_KEY", SECRET_KEY, "REDIS_HOST", REDIS.host(), "REDIS_PORT", Integer.toString(REDIS.port()),
                "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", SCOPED_SECRET), Path.of(System.getProperty("service.jar")));
    }
}
