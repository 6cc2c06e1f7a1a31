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

/** The service on a three-member etcd cluster while members fail and come back. */
class EtcdClusterFaultTest {

    private static final String SECRET_KEY = "cluster-secret-key";
    private static final int DIAL_TIMEOUT_MS = 1000;

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.threeMembers();

    @RegisterExtension
    final AssembledService service = new AssembledService();

    private final AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);

    private void store(EtcdTestClient etcd, String fromEmail) throws Exception {
        etcd.put(KeyValueConfigRepository.PATH, cipher.encrypt(
                "{\"host\": \"smtp.example.com\", \"port\": 587, \"fromEmail\": \"" + fromEmail + "\"}"));
    }

    @Test
    void survivesOneMemberDownAnswers503WhenAllAreDownAndFollowsChangesOnceBack() throws Exception {
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints())) {
            store(etcd, "first@example.com");
        }
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                "ETCD_ENDPOINTS", ETCD.endpointList(), "ETCD_DIAL_TIMEOUT", Integer.toString(DIAL_TIMEOUT_MS)));
        assertTrue(client.status().contains("\"fromEmail\":\"first@example.com\""), client.status());

        // One member of three down: the cluster keeps its quorum, and the service its watch (moved
        // to another member if it was on this one) and its answers.
        ETCD.stop(0);
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints().subList(1, 3))) {
            store(etcd, "second@example.com");
        }
        client.statusWithin(Duration.ofSeconds(30), body -> body.contains("\"fromEmail\":\"second@example.com\""));
        // The two left may still be electing a leader when the read comes: ask again until one answers.
        HttpResponse<String> withTwoMembers = client.reload();
        long electionDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (withTwoMembers.statusCode() == 503 && System.nanoTime() < electionDeadline) {
            Thread.sleep(200);
            withTwoMembers = client.reload();
        }
        assertEquals(200, withTwoMembers.statusCode(), withTwoMembers.body());
        assertTrue(withTwoMembers.body().contains("\"fromEmail\":\"second@example.com\""), withTwoMembers.body());

        // Every member down: 503 in the contract's shape, within the dial timeout and a margin for a
        // busy machine (the bound catches a hang, not a slow answer).
        ETCD.stopAll();
        long started = System.nanoTime();
        HttpResponse<String> withNoMember = client.reload();
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(503, withNoMember.statusCode(), withNoMember.body());
        assertEquals("application/json", withNoMember.headers().firstValue("Content-Type").orElseThrow());
        // Said by this reload, or by the re-read it waited for (the watch's, as it came back on another
        // member just before), which met the same: "Not tried, as the step it waited for met ... unavailable: ...".
        assertTrue(withNoMember.body().startsWith("{\"error\":{\"code\":\"HTTP_SERVICE_UNAVAILABLE\",\"message\":\""),
                withNoMember.body());
        assertTrue(withNoMember.body().contains("Cannot read /services/smtp: etcd did not answer within " + DIAL_TIMEOUT_MS
                + " ms"), withNoMember.body());
        assertFalse(withNoMember.body().contains("127.0.0.1"), "an answer shows etcd's address");
        assertTrue(elapsedMillis <= DIAL_TIMEOUT_MS + 3000, "answered after " + elapsedMillis + " ms");
        String status = client.status();
        assertTrue(status.contains("\"fromEmail\":\"second@example.com\""), "the active configuration changed: " + status);
        assertTrue(status.contains("did not answer within " + DIAL_TIMEOUT_MS + " ms"), status);

        // Back again: a new put is applied through the watch, with no HTTP call.
        ETCD.startAll();
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints())) {
            store(etcd, "third@example.com");
        }
        client.statusWithin(Duration.ofSeconds(30), body -> body.contains("\"fromEmail\":\"third@example.com\""));
    }
}
