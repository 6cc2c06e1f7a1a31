package dev.mailservice.bootstrap.endtoend;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.PipesHubTokenSecrets;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import dev.mailservice.testkit.NodeCryptoVector;
import dev.mailservice.testkit.Tokens;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The assembled service on the etcd backend, against a real etcd. */
class EtcdEndToEndTest {

    private static final String PASSWORD = "Etcd-Pa55-never-shown";
    private static final NodeCryptoVector NODE_VECTOR = NodeCryptoVector.read();
    /** The key PipesHub's values are encrypted with in these tests: that of the Node vector. */
    private static final String SECRET_KEY = NODE_VECTOR.secretKey();

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    @RegisterExtension
    final AssembledService service = new AssembledService(PASSWORD, NodeCryptoVector.PASSWORD);

    private static EtcdTestClient etcd;
    private final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);
    private ServiceClient client;

    @BeforeAll
    static void connect() {
        etcd = new EtcdTestClient(ETCD.endpoints());
    }

    @AfterAll
    static void disconnect() {
        etcd.close();
    }

    @BeforeEach
    void clearEtcd() throws Exception {
        etcd.delete(KeyValueConfigRepository.PATH);
        etcd.delete(PipesHubTokenSecrets.PATH);
    }

    private static String configuration(String fromEmail) {
        return "{\"host\": \"smtp.example.com\", \"port\": 587, \"username\": \"ops\", \"password\": \"" + PASSWORD
                + "\", \"fromEmail\": \"" + fromEmail + "\"}";
    }

    private void store(String json) throws Exception {
        etcd.put(KeyValueConfigRepository.PATH, cipher.encrypt(json));
    }

    /** Starts on the etcd backend; {@code extraVariables} are name, value pairs, a null value removing one. */
    private void start(String... extraVariables) {
        Map<String, String> variables = new HashMap<>(Map.of("SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                "ETCD_ENDPOINTS", ETCD.endpointList(), "ETCD_DIAL_TIMEOUT", "1000"));
        for (int i = 0; i < extraVariables.length; i += 2) {
            variables.put(extraVariables[i], extraVariables[i + 1]);
        }
        client = service.start(variables);
    }

    @Test
    void theReloadRouteServesAValueWrittenByNodeCryptoInPipesHubsFormat() throws Exception {
        start("SMTP_CONFIG_WATCH", "false");
        etcd.put(KeyValueConfigRepository.PATH, NODE_VECTOR.value());

        HttpResponse<String> response = client.reload();

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":{\"host\":\"smtp.example.com\","
                + "\"port\":587,\"username\":\"ops@example.com\",\"fromEmail\":\"noreply@example.com\"}}", response.body());
        assertTrue(client.status().contains("\"source\":\"etcd\""));
    }

    @Test
    void aTamperedValueIsRefusedAndThePreviousConfigurationStaysAndShowsTheError() throws Exception {
        store(configuration("first@example.com"));
        start("SMTP_CONFIG_WATCH", "false");
        String[] parts = cipher.encrypt(configuration("second@example.com")).split(":");
        etcd.put(KeyValueConfigRepository.PATH,
                parts[0] + ":" + (parts[1].startsWith("0") ? "1" : "0") + parts[1].substring(1) + ":" + parts[2]);

        HttpResponse<String> response = client.reload();

        assertEquals(400, response.statusCode(), response.body());
        assertTrue(response.body().startsWith("{\"error\":{\"code\":\"HTTP_BAD_REQUEST\",\"message\":\"The SMTP "
                + "configuration in etcd key /services/smtp"), response.body());
        assertTrue(response.body().contains("cannot be decrypted: authentication failed"), response.body());
        String status = client.status();
        assertTrue(status.contains("\"fromEmail\":\"first@example.com\""), status);
        assertTrue(status.contains("\"lastReloadError\":{\"at\":"), status);
        assertTrue(status.contains("cannot be decrypted"), status);
    }

    @Test
    void aPutIsAppliedThroughTheWatchAndABadOneIsRecordedButNotApplied() throws Exception {
        store(configuration("first@example.com"));
        start();

        store(configuration("second@example.com"));
        client.statusWithin(Duration.ofSeconds(10), status -> status.contains("\"fromEmail\":\"second@example.com\""));

        store(configuration("second@example.com").replace("587", "0"));
        String status = client.statusWithin(Duration.ofSeconds(10), body -> body.contains("port must be between"));
        assertTrue(status.contains("\"fromEmail\":\"second@example.com\""), status);
    }

    @Test
    void aPipesHubStyleDeploymentTakesItsScopedSecretFromEtcd() throws Exception {
        String scopedFromEtcd = "Q1w2E3r4T5y6U7i8O9p0";
        String userFromEtcd = "J1w2E3r4T5y6U7i8O9p0";
        etcd.put(PipesHubTokenSecrets.PATH, cipher.encrypt("{\"jwtSecret\":\"" + userFromEtcd + "\",\"scopedJwtSecret\":\""
                + scopedFromEtcd + "\"}"));
        store(configuration("first@example.com"));

        start("SCOPED_JWT_SECRET", null, "JWT_SECRET", null);

        try (ServiceClient withEtcdSecret = new ServiceClient(service.port(), scopedFromEtcd)) {
            assertEquals(200, withEtcdSecret.reload().statusCode());
        }
        assertEquals(401, client.reload().statusCode(), "a token signed with another secret was accepted");
        String adminRoute = "/api/v1/configurationManager/smtpConfig";
        assertEquals(200, client.call("GET", adminRoute, Tokens.user(userFromEtcd, "admin"), null).statusCode());
        assertEquals(401, client.call("GET", adminRoute, Tokens.user(USER_SECRET, "admin"), null).statusCode(),
                "a user token signed with another secret was accepted");
        service.assertNoLogLineShows(List.of(scopedFromEtcd, userFromEtcd));
    }

    @Test
    void secretsStoredUnderAnotherSecretKeyStopTheStartSayingSo() throws Exception {
        etcd.put(PipesHubTokenSecrets.PATH, new AesGcmCipher("another-deployment-key").encrypt(
                "{\"jwtSecret\":\"" + USER_SECRET + "\",\"scopedJwtSecret\":\"" + SCOPED_SECRET + "\"}"));

        RuntimeException refusal = assertThrows(RuntimeException.class, () ->
                start("SCOPED_JWT_SECRET", null, "JWT_SECRET", null));

        assertEquals("dev.mailservice.bootstrap.InvalidSettingsException", refusal.getClass().getName(),
                "not refused as settings that do not allow the service to start");
        assertTrue(refusal.getMessage().startsWith("The token secrets in etcd key /services/secretKeys at "),
                refusal.getMessage());
        assertTrue(refusal.getMessage().contains("cannot be decrypted"), refusal.getMessage());
        assertFalse(refusal.getMessage().contains(SCOPED_SECRET)
                || refusal.getMessage().contains(USER_SECRET));
    }

    @Test
    void startsWhileEtcdIsDownAndAppliesTheConfigurationOnceItAnswers() throws Exception {
        store(configuration("first@example.com"));
        ETCD.stop(0);
        try {
            start();

            String status = client.status();
            assertTrue(status.startsWith("{\"smtp\":null,"), status);
            assertTrue(status.contains("did not answer within 1000 ms"), status);
            assertTrue(service.logLines().stream().anyMatch(line -> line.contains("Starting with no SMTP configuration active")));
        } finally {
            ETCD.start(0);
        }

        client.statusWithin(Duration.ofSeconds(30), status -> status.contains("\"fromEmail\":\"first@example.com\""));
    }
}
