package dev.mailservice.bootstrap.process;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import dev.mailservice.testkit.ServiceProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two service processes on one etcd: a change reaches both by itself, as it would every replica
 * behind a load balancer, whether it was put into etcd directly or stored through one of them.
 */
class ReplicasConvergeTest {

    private static final String SECRET_KEY = "replicas-secret-key";

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    @TempDir
    Path directory;

    private static Map<String, String> replicaEnvironment() {
        return Map.of("PORT", "0", "SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                "ETCD_ENDPOINTS", ETCD.endpointList(), "SCOPED_JWT_SECRET", SCOPED_SECRET, "JWT_SECRET", SCOPED_SECRET);
    }

    @Test
    void aPutIsAppliedByBothReplicasWithNoHttpCall() throws Exception {
        AesGcmCipher cipher = new AesGcmCipher(SECRET_KEY);
        Map<String, String> environment = replicaEnvironment();
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints());
                ServiceProcess first = ServiceProcess.launch(directory, environment);
                ServiceProcess second = ServiceProcess.launch(directory, environment);
                ServiceClient firstClient = new ServiceClient(first.awaitReadyPort(), SCOPED_SECRET);
                ServiceClient secondClient = new ServiceClient(second.awaitReadyPort(), SCOPED_SECRET)) {
            etcd.put(KeyValueConfigRepository.PATH, cipher.encrypt(
                    "{\"host\": \"smtp-a.example.com\", \"port\": 587, \"fromEmail\": \"noreply@example.com\"}"));
            firstClient.statusWithin(Duration.ofSeconds(10), status -> status.contains("smtp-a.example.com"));
            secondClient.statusWithin(Duration.ofSeconds(10), status -> status.contains("smtp-a.example.com"));

            etcd.put(KeyValueConfigRepository.PATH, cipher.encrypt(
                    "{\"host\": \"smtp-b.example.com\", \"port\": 587, \"fromEmail\": \"noreply@example.com\"}"));

            // A guard against a lost change, not a speed target: the benchmark measures convergence.
            firstClient.statusWithin(Duration.ofSeconds(30), status -> status.contains("smtp-b.example.com"));
            secondClient.statusWithin(Duration.ofSeconds(30), status -> status.contains("smtp-b.example.com"));
        }
    }

    @Test
    void aConfigurationStoredThroughOneReplicaIsAppliedByTheOther() throws Exception {
        Map<String, String> environment = replicaEnvironment();
        try (ServiceProcess first = ServiceProcess.launch(directory, environment);
                ServiceProcess second = ServiceProcess.launch(directory, environment);
                ServiceClient firstClient = new ServiceClient(first.awaitReadyPort(), SCOPED_SECRET, SCOPED_SECRET);
                ServiceClient secondClient = new ServiceClient(second.awaitReadyPort(), SCOPED_SECRET)) {
            HttpResponse<String> stored = firstClient.storeConfiguration(
                    "{\"host\": \"smtp-c.example.com\", \"port\": 587, \"fromEmail\": \"noreply@example.com\"}");

            assertEquals(200, stored.statusCode(), stored.body());
            assertTrue(firstClient.status().contains("smtp-c.example.com"), "the storing replica did not apply it");
            secondClient.statusWithin(Duration.ofSeconds(10), status -> status.contains("smtp-c.example.com"));
        }
    }
}
