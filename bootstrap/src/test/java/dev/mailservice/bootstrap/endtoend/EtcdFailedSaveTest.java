package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A save the service answered as failed, because etcd was down, never lands later: not over a
 * newer value written once etcd is back, and not by itself either.
 */
class EtcdFailedSaveTest {

    private static final String SECRET_KEY = "outage-secret-key";
    private static final int DIAL_TIMEOUT_MS = 1000;
    /**
     * How long after giving up the client could still send a write: a write is not retried on an
     * unreachable etcd, and its gRPC deadline is the dial timeout; the service waits a second more.
     */
    private static final Duration LONGEST_RETRY_PERIOD = Duration.ofMillis(DIAL_TIMEOUT_MS + 1000);
    private static final Duration WATCHED_AFTER_RETURN = LONGEST_RETRY_PERIOD.plusSeconds(5);

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    @RegisterExtension
    final AssembledService service = new AssembledService();

    private final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);

    private static String configuration(String fromEmail) {
        return "{\"host\": \"smtp.example.com\", \"port\": 587, \"fromEmail\": \"" + fromEmail + "\"}";
    }

    @Test
    void aSaveAnswered503WhileEtcdIsDownNeverBecomesStoredOrActive() throws Exception {
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                "ETCD_ENDPOINTS", ETCD.endpointList(), "ETCD_DIAL_TIMEOUT", Integer.toString(DIAL_TIMEOUT_MS)));
        assertEquals(200, client.storeConfiguration(configuration("first@example.com")).statusCode());

        // Outage, then a newer value written by someone else once etcd is back.
        ETCD.stop(0);
        assertSaveFails(client, "lost-while-down@example.com");
        ETCD.start(0);
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints())) {
            etcd.put(KeyValueConfigRepository.PATH, cipher.encrypt(configuration("newer@example.com")));
            client.statusWithin(Duration.ofSeconds(30), status -> status.contains("newer@example.com"));

            assertNeverShows(client, etcd, "lost-while-down@example.com", "newer@example.com");

            // Outage, and nothing written after it: the failed value must not land by itself either.
            ETCD.stop(0);
            assertSaveFails(client, "also-lost@example.com");
            ETCD.start(0);

            assertNeverShows(client, etcd, "also-lost@example.com", "newer@example.com");
        }
    }

    private static void assertSaveFails(ServiceClient client, String fromEmail) throws Exception {
        HttpResponse<String> failed = client.storeConfiguration(configuration(fromEmail));
        assertEquals(503, failed.statusCode(), failed.body());
        assertTrue(failed.body().startsWith("{\"error\":{\"code\":\"HTTP_SERVICE_UNAVAILABLE\""), failed.body());
    }

    /**
     * Watches, for the client's longest retry period and 5 s more, that {@code lost} is never the
     * stored or the active value, and that {@code kept} stays both.
     */
    private void assertNeverShows(ServiceClient client, EtcdTestClient etcd, String lost, String kept) throws Exception {
        long until = System.nanoTime() + WATCHED_AFTER_RETURN.toNanos();
        while (System.nanoTime() < until) {
            String status = client.status();
            assertFalse(status.contains(lost), "a save answered 503 became active: " + status);
            String stored = cipher.decrypt(etcd.get(KeyValueConfigRepository.PATH).orElseThrow());
            assertFalse(stored.contains(lost), "a save answered 503 was stored: " + stored);
            Thread.sleep(50);
        }
        assertTrue(client.status().contains(kept), client.status());
        assertTrue(cipher.decrypt(etcd.get(KeyValueConfigRepository.PATH).orElseThrow()).contains(kept));
    }
}
