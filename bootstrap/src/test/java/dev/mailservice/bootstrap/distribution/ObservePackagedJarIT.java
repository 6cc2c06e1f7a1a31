package dev.mailservice.bootstrap.distribution;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
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
 * The packaged jar as an orchestrator probes it: live and ready, still ready (the outage in the
 * details) while its backend is down, not ready from the first moment it is told to stop while it
 * still serves for the grace period, and its meters moving.
 */
class ObservePackagedJarIT {

    private static final String SECRET_KEY = "observe-secret-key";
    private static final String GRACE_MS = "3000";

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    @TempDir
    Path directory;

    @Test
    void probesAnswerAsAnOrchestratorNeedsThroughAnOutageAndAStop() throws Exception {
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints())) {
            etcd.put(KeyValueConfigRepository.PATH, new AesGcmCipher(SECRET_KEY).encrypt(
                    "{\"host\": \"smtp.example.com\", \"port\": 587, \"fromEmail\": \"noreply@example.com\"}"));
        }
        try (ServiceProcess service = ServiceProcess.launchJarAsDeployed(directory, Map.of("SCOPED_JWT_SECRET", SCOPED_SECRET,
                        "JWT_SECRET", SCOPED_SECRET, "SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                        "ETCD_ENDPOINTS", ETCD.endpointList(), "ETCD_DIAL_TIMEOUT", "1000", "PORT", "0",
                        "SHUTDOWN_GRACE_MS", GRACE_MS), Path.of(System.getProperty("service.jar")));
                ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET)) {
            assertEquals(200, client.call("GET", "/observe/health/live", "none", null).statusCode());
            // A fresh JVM's first etcd call may outlast its deadline; the watch's first read follows soon after.
            HttpResponse<String> ready = client.call("GET", "/observe/health/ready", "none", null);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!ready.body().contains("\"backendReachable\":true") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                ready = client.call("GET", "/observe/health/ready", "none", null);
            }
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"backendReachable\":true"), ready.body());

            ETCD.stop(0);
            try {
                assertEquals(503, client.reload().statusCode());
                HttpResponse<String> readyWithoutBackend = client.call("GET", "/observe/health/ready", "none", null);
                assertEquals(200, readyWithoutBackend.statusCode(), readyWithoutBackend.body());
                assertTrue(readyWithoutBackend.body().contains("\"backend\":\"etcd\""), readyWithoutBackend.body());
                assertTrue(readyWithoutBackend.body().contains("\"backendReachable\":false"), readyWithoutBackend.body());
                assertTrue(readyWithoutBackend.body().contains("\"smtpActive\":true"), readyWithoutBackend.body());
                String metrics = client.call("GET", "/observe/metrics", "none", null).body();
                assertTrue(metrics.matches("(?s).*mailservice_reloads_total\\{[^}]*outcome=\"backend_unavailable\"[^}]*"
                        + "source=\"etcd\"[^}]*} [1-9].*"), metrics);
                assertTrue(metrics.contains("mailservice_backend_up{scope=\"application\",} 0.0"), metrics);
            } finally {
                ETCD.start(0);
            }

            long stopAsked = System.nanoTime();
            service.terminate();
            HttpResponse<String> stopping;
            long stopDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            do {
                stopping = client.call("GET", "/observe/health/ready", "none", null);
            } while (stopping.statusCode() == 200 && System.nanoTime() < stopDeadline);
            assertEquals(503, stopping.statusCode(), stopping.body());
            assertTrue(stopping.body().contains("\"stopping\":true"), stopping.body());
            HttpResponse<String> servedWhileStopping = client.call("GET", "/api/v1/mail/smtpConfig",
                    Tokens.scoped(SCOPED_SECRET, "fetch:config"), null);
            assertEquals(200, servedWhileStopping.statusCode(), "not served in the grace period: " + servedWhileStopping.body());
            assertEquals(143, service.exitCode(), String.join("\n", service.output()));
            assertTrue(System.nanoTime() - stopAsked >= Duration.ofMillis(Long.parseLong(GRACE_MS)).toNanos(),
                    "it stopped before the grace period was over");
        }
    }
}
