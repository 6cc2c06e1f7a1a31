package dev.mailservice.bootstrap;

import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.PipesHubTokenSecrets;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The link that opens the console signed in: where it points, and the admin token it carries,
 * signed with JWT_SECRET or, without it, with the secret PipesHub keeps in a real etcd.
 */
class ConsoleLinkTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    private static final String SECRET_KEY = "deployment-key-of-the-link";
    private static final String STORED_USER_SECRET = "J1w2E3r4T5y6U7i8O9p0";
    private static final String STORED_SCOPED_SECRET = "Q1w2E3r4T5y6U7i8O9p0";

    private static JwtClaims claimsOf(String link) throws Exception {
        return claimsOf(link, USER_SECRET);
    }

    private static JwtClaims claimsOf(String link, String secret) throws Exception {
        String token = link.substring(link.indexOf("#token=") + "#token=".length());
        return new JwtConsumerBuilder().setVerificationKey(new HmacKey(secret.getBytes()))
                .setRelaxVerificationKeyValidation().setEvaluationTime(
                        org.jose4j.jwt.NumericDate.fromSeconds(NOW.getEpochSecond()))
                .setRequireExpirationTime().build().processToClaims(token);
    }

    @Test
    void aLinkToThisPortsConsoleWithAnAdminTokenOfTheMinutesAsked() throws Exception {
        String link = ConsoleLink.of(List.of("--minutes", "45"), Map.of("JWT_SECRET", USER_SECRET, "PORT", "8025"), NOW);

        assertTrue(link.startsWith("http://localhost:8025/console/#token="), link);
        JwtClaims claims = claimsOf(link);
        assertEquals("admin", claims.getStringClaimValue("role"));
        assertEquals(NOW.plusSeconds(45 * 60).getEpochSecond(), claims.getExpirationTime().getValue());
        assertEquals(NOW.plusSeconds(30 * 60).getEpochSecond(), claimsOf(ConsoleLink.of(List.of(),
                Map.of("JWT_SECRET", USER_SECRET), NOW)).getExpirationTime().getValue(), "30 minutes unless asked");
        assertTrue(ConsoleLink.of(List.of(), Map.of("JWT_SECRET", USER_SECRET), NOW).startsWith("http://localhost:3000/"));
    }

    /** The service's variables on the etcd backend, as a PipesHub deployment gives them: no token secret. */
    private static Map<String, String> onEtcd(String endpoints, String... more) {
        Map<String, String> environment = new HashMap<>(Map.of("KV_STORE_TYPE", "etcd", "SECRET_KEY", SECRET_KEY,
                "ETCD_ENDPOINTS", endpoints, "ETCD_DIAL_TIMEOUT", "500"));
        for (int i = 0; i < more.length; i += 2) {
            environment.put(more[i], more[i + 1]);
        }
        return environment;
    }

    @Test
    void withoutJwtSecretItSignsWithTheSecretPipesHubStoredInEtcdAsTheServiceWould() throws Exception {
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints())) {
            etcd.put(PipesHubTokenSecrets.PATH, new AesGcmCipher(SECRET_KEY).encrypt("{\"jwtSecret\":\""
                    + STORED_USER_SECRET + "\",\"scopedJwtSecret\":\"" + STORED_SCOPED_SECRET + "\"}"));

            String link = ConsoleLink.of(List.of(), onEtcd(ETCD.endpointList(), "PORT", "8025"), NOW);

            assertTrue(link.startsWith("http://localhost:8025/console/#token="), link);
            assertEquals("admin", claimsOf(link, STORED_USER_SECRET).getStringClaimValue("role"));
            assertEquals(link, ConsoleLink.of(List.of(), onEtcd(ETCD.endpointList(), "PORT", "8025",
                    "JWT_SECRET", STORED_USER_SECRET), NOW), "not the link the variable gives");
        }
    }

    @Test
    void withoutJwtSecretASecretNeitherStoredNorReadableIsRefusedSayingWhereItWasLookedFor() throws Exception {
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints())) {
            etcd.delete(PipesHubTokenSecrets.PATH);
            String nothing = assertThrows(InvalidSettingsException.class,
                    () -> ConsoleLink.of(List.of(), onEtcd(ETCD.endpointList()), NOW)).getMessage();
            assertEquals("A token secret is not set (SCOPED_JWT_SECRET, JWT_SECRET) and nothing is stored in etcd key "
                    + "/services/secretKeys at " + ETCD.endpoints().get(0) + ": set them", nothing);

            etcd.put(PipesHubTokenSecrets.PATH, new AesGcmCipher("another-deployment-key").encrypt("{\"jwtSecret\":\""
                    + STORED_USER_SECRET + "\",\"scopedJwtSecret\":\"" + STORED_SCOPED_SECRET + "\"}"));
            String undecryptable = assertThrows(InvalidSettingsException.class,
                    () -> ConsoleLink.of(List.of(), onEtcd(ETCD.endpointList()), NOW)).getMessage();
            assertTrue(undecryptable.startsWith("The token secrets in etcd key /services/secretKeys at ")
                    && undecryptable.contains(" cannot be decrypted: authentication failed"), undecryptable);
            assertFalse(undecryptable.contains(STORED_USER_SECRET) || undecryptable.contains(SECRET_KEY), undecryptable);
        }
    }

    @Test
    void withoutJwtSecretAStoreThatDoesNotAnswerIsGivenUpOnAfterAFewSecondsWhateverTheServiceWouldWait()
            throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + closedPort;
        long started = System.nanoTime();

        String refusal = assertThrows(GaveUpWaitingException.class, () -> ConsoleLink.of(List.of(),
                onEtcd(endpoint, "ETCD_SECRETS_WAIT_MS", "600000"), NOW)).getMessage();

        assertTrue(refusal.startsWith("Gave up after " + ConsoleLink.STORE_WAIT.toSeconds() + " s waiting for the token "
                + "secrets in etcd key /services/secretKeys at " + endpoint), refusal);
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(ConsoleLink.STORE_WAIT.multipliedBy(2)) < 0,
                "waited as long as the service would");
    }

    /** Redis's default timeouts alone (connecting, the pool's ping, the read) would hold one read for 30 s. */
    @ParameterizedTest
    @ValueSource(strings = {"etcd", "redis"})
    void withoutJwtSecretAStoreThatTakesTheConnectionAndNeverAnswersIsGivenUpOnWithinSecondsAtItsDefaultTimeouts(
            String store) throws Exception {
        // Listening, so that connections are taken (by the system, into the backlog), and nothing is ever said.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(silent.getLocalPort());
            Map<String, String> environment = store.equals("etcd")
                    ? Map.of("KV_STORE_TYPE", "etcd", "SECRET_KEY", SECRET_KEY, "ETCD_HOST", "127.0.0.1", "ETCD_PORT", port)
                    : Map.of("KV_STORE_TYPE", "redis", "SECRET_KEY", SECRET_KEY, "REDIS_HOST", "127.0.0.1",
                            "REDIS_PORT", port);
            long started = System.nanoTime();

            String refusal = assertThrows(GaveUpWaitingException.class, () -> ConsoleLink.of(List.of(), environment, NOW))
                    .getMessage();

            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(refusal.startsWith("Gave up after " + ConsoleLink.STORE_WAIT.toSeconds() + " s waiting for the "
                    + "token secrets in "), refusal);
            assertTrue(waited.compareTo(ConsoleLink.STORE_WAIT.plusSeconds(3)) < 0, "waited " + waited);
        }
    }

    @Test
    void aMissingSecretOrAMalformedLifetimeIsRefusedSayingWhatToDo() {
        assertTrue(assertThrows(InvalidSettingsException.class, () -> ConsoleLink.of(List.of(), Map.of(), NOW))
                .getMessage().contains("set JWT_SECRET"));
        assertEquals("KV_STORE_TYPE must be 'redis' or 'etcd', got 'etdc'", assertThrows(InvalidSettingsException.class,
                () -> ConsoleLink.of(List.of(), Map.of("KV_STORE_TYPE", "etdc"), NOW)).getMessage(),
                "the backend's refusal, not JWT_SECRET's");
        for (List<String> args : List.of(List.of("--minutes"), List.of("--minutes", "0"), List.of("--minutes", "1441"),
                List.of("--hours", "1"), List.of("--minutes", "x"))) {
            assertTrue(assertThrows(InvalidSettingsException.class,
                    () -> ConsoleLink.of(args, Map.of("JWT_SECRET", USER_SECRET), NOW)).getMessage()
                    .startsWith("console-link takes --minutes N"), args.toString());
        }
    }
}
