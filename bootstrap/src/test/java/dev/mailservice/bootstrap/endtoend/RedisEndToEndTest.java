package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.PipesHubTokenSecrets;
import dev.mailservice.adapters.config.RedisStore;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.NodeCryptoVector;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The assembled service on the Redis backend, against a real Redis and a real SMTP server. */
class RedisEndToEndTest {

    private static final String PASSWORD = "Redis-Pa55-never-shown";
    private static final NodeCryptoVector NODE_VECTOR = NodeCryptoVector.read();
    /** The key PipesHub's values are encrypted with in these tests: that of the Node vector. */
    private static final String SECRET_KEY = NODE_VECTOR.secretKey();
    private static final String KEY = RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH;
    private static final int TIMEOUT_MS = 1000;

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain();

    @RegisterExtension
    static final GreenMailExtension SMTP_SERVER = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.com", "ops", PASSWORD));

    @RegisterExtension
    final AssembledService service = new AssembledService(PASSWORD, NodeCryptoVector.PASSWORD);

    private static RedisTestClient redis;
    private final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);
    private ServiceClient client;

    @BeforeAll
    static void connect() {
        redis = REDIS.client();
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @BeforeEach
    void clearRedis() {
        redis.delete(KEY);
        redis.delete(RedisStore.DEFAULT_KEY_PREFIX + PipesHubTokenSecrets.PATH);
    }

    private static String configuration(String fromEmail) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + SMTP_SERVER.getSmtp().getPort() + ", \"username\": \"ops\", "
                + "\"password\": \"" + PASSWORD + "\", \"fromEmail\": \"" + fromEmail + "\"}";
    }

    /** Stores as PipesHub's key-value service does: SET, then PUBLISH the path. */
    private void store(String json) {
        redis.set(KEY, cipher.encrypt(json));
        redis.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);
    }

    /** Starts on Redis with PipesHub's variables; {@code extraVariables} are name, value pairs, null removing one. */
    private void start(String... extraVariables) {
        Map<String, String> variables = new HashMap<>(Map.of("KV_STORE_TYPE", "redis", "SECRET_KEY", SECRET_KEY,
                "REDIS_HOST", REDIS.host(), "REDIS_PORT", Integer.toString(REDIS.port()),
                "REDIS_TIMEOUT", Integer.toString(TIMEOUT_MS)));
        for (int i = 0; i < extraVariables.length; i += 2) {
            variables.put(extraVariables[i], extraVariables[i + 1]);
        }
        client = service.start(variables);
    }

    private static String otpMail() {
        return """
                {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"],
                 "templateData": {"name": "Redis User", "otp": "123456"}}""";
    }

    @Test
    void theReloadRouteServesAValueWrittenByNodeCryptoInPipesHubsFormat() throws Exception {
        redis.set(KEY, NODE_VECTOR.value());
        start("SMTP_CONFIG_WATCH", "false");

        HttpResponse<String> response = client.reload();

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":{\"host\":\"smtp.example.com\","
                + "\"port\":587,\"username\":\"ops@example.com\",\"fromEmail\":\"noreply@example.com\"}}", response.body());
        assertTrue(client.status().contains("\"source\":\"redis\""), client.status());
    }

    @Test
    void aTamperedValueIsRefusedAndThePreviousConfigurationStays() throws Exception {
        store(configuration("first@example.com"));
        start("SMTP_CONFIG_WATCH", "false");
        String[] parts = cipher.encrypt(configuration("second@example.com")).split(":");
        redis.set(KEY, parts[0] + ":" + (parts[1].startsWith("0") ? "1" : "0") + parts[1].substring(1) + ":" + parts[2]);

        HttpResponse<String> response = client.reload();

        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().startsWith("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"The SMTP "
                + "configuration in Redis key pipeshub:kv:/services/smtp cannot be decrypted"), response.body());
        assertTrue(client.status().contains("\"fromEmail\":\"first@example.com\""), client.status());
        assertEquals(200, client.sendEmail(otpMail()).statusCode());
        assertEquals("first@example.com", SMTP_SERVER.getReceivedMessages()[0].getFrom()[0].toString());
    }

    @Test
    void aValueOfAnotherTypeAtTheKeyIsAnInvalidValueNamedAsSuch() throws Exception {
        store(configuration("first@example.com"));
        start("SMTP_CONFIG_WATCH", "false");
        redis.delete(KEY);
        redis.hashSet(KEY, "host", "127.0.0.1");

        HttpResponse<String> response = client.reload();

        assertEquals(400, response.statusCode(), response.body());
        assertEquals("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"The SMTP configuration in Redis key "
                + "pipeshub:kv:/services/smtp cannot be read: the value is a hash, not a string\"}}", response.body());
        assertTrue(client.status().contains("\"fromEmail\":\"first@example.com\""), client.status());
    }

    @Test
    void numbersInFieldsTheServiceDoesNotKnowComeBackAsSent() throws Exception {
        start("SMTP_CONFIG_WATCH", "false");
        String numbers = "[1e999999999,0.1000000000000000055511151231257827,1e2,-0,123456789012345678901234567890]";

        HttpResponse<String> saved = client.storeConfiguration(configuration("first@example.com")
                .replace("}", ", \"limits\": " + numbers + "}"));

        assertEquals(200, saved.statusCode(), saved.body());
        String stored = cipher.decrypt(redis.get(KEY).orElseThrow()).replaceAll("\\s", ""); // stored indented
        assertTrue(stored.contains("\"limits\":" + numbers), stored);
        String served = client.call("GET", "/api/v1/configurationManager/internal/smtpConfig").body();
        assertTrue(served.contains("\"limits\":" + numbers), served);
    }

    @Test
    void aSetAndPublishAsPipesHubMakesThemIsAppliedWithNoCall() throws Exception {
        store(configuration("first@example.com"));
        start();

        store(configuration("second@example.com"));

        client.statusWithin(Duration.ofSeconds(30), status -> status.contains("\"fromEmail\":\"second@example.com\""));
    }

    @Test
    void aPipesHubDeploymentTakesItsTokenSecretsFromRedis() throws Exception {
        String scopedFromRedis = "R1w2E3r4T5y6U7i8O9p0";
        redis.set(RedisStore.DEFAULT_KEY_PREFIX + PipesHubTokenSecrets.PATH, cipher.encrypt(
                "{\"jwtSecret\":\"U1w2E3r4T5y6U7i8O9p0\",\"scopedJwtSecret\":\"" + scopedFromRedis + "\"}"));
        store(configuration("first@example.com"));

        start("SCOPED_JWT_SECRET", null, "JWT_SECRET", null);

        try (ServiceClient withRedisSecret = new ServiceClient(service.port(), scopedFromRedis)) {
            assertEquals(200, withRedisSecret.reload().statusCode());
        }
        assertEquals(401, client.reload().statusCode(), "a token signed with another secret was accepted");
    }

    @Test
    void whileRedisIsDownReloadsAnswer503SendsGoOnAndAFailedSaveNeverLands() throws Exception {
        store(configuration("first@example.com"));
        start("SMTP_CONFIG_WATCH", "false");
        assertEquals(200, client.storeConfiguration(configuration("second@example.com")).statusCode());

        REDIS.stop();
        try {
            long started = System.nanoTime();
            HttpResponse<String> reload = client.reload();
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(503, reload.statusCode(), reload.body());
            assertTrue(reload.body().startsWith("{\"error\":{\"code\":\"HTTP_SERVICE_UNAVAILABLE\",\"message\":\"Cannot "
                    + "read pipeshub:kv:/services/smtp: Redis refused the connection"), reload.body());
            assertFalse(reload.body().contains(Integer.toString(REDIS.port())), "an answer shows Redis's address");
            assertTrue(elapsedMillis <= TIMEOUT_MS + 3000, "answered after " + elapsedMillis + " ms");

            assertEquals(200, client.sendEmail(otpMail()).statusCode(), "a send failed on the active configuration");
            assertEquals("second@example.com", SMTP_SERVER.getReceivedMessages()[0].getFrom()[0].toString());

            HttpResponse<String> save = client.storeConfiguration(configuration("lost@example.com"));
            assertEquals(503, save.statusCode(), save.body());
        } finally {
            REDIS.restart();
        }
        // Nothing holds a write once the call gave up; watch for the timeout and 5 s beyond.
        long until = System.nanoTime() + Duration.ofMillis(TIMEOUT_MS).plusSeconds(5).toNanos();
        while (System.nanoTime() < until) {
            String stored = cipher.decrypt(redis.get(KEY).orElseThrow());
            assertFalse(stored.contains("lost@example.com"), "a save answered 503 was stored");
            assertTrue(stored.contains("second@example.com"), stored);
            assertFalse(client.status().contains("lost@example.com"), "a save answered 503 became active");
            Thread.sleep(100);
        }
        assertEquals(200, client.reload().statusCode());
    }
}
