package dev.mailservice.bootstrap.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The service reaching etcd over TLS, trusting the deployment's authority through {@code TLS_CA_FILE}. */
class EtcdTlsEndToEndTest {

    private static final String SECRET_KEY = "etcd-tls-secret-key";

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember().withTls();

    @RegisterExtension
    final AssembledService service = new AssembledService();

    @BeforeAll
    static void storeAConfiguration() throws Exception {
        try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints(), ETCD.caFile())) {
            etcd.put(KeyValueConfigRepository.PATH, new AesGcmCipher(SECRET_KEY).encrypt(
                    "{\"host\": \"smtp.tls.example\", \"port\": 587, \"fromEmail\": \"noreply@tls.example\"}"));
        }
    }

    private static Map<String, String> etcdVariables() {
        return new HashMap<>(Map.of("SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                "ETCD_ENDPOINTS", ETCD.endpointList(), "ETCD_DIAL_TIMEOUT", "1000"));
    }

    @Test
    void trustingTheDeploymentsAuthorityTheServiceReadsOverTls() throws Exception {
        assertTrue(ETCD.endpointList().startsWith("https://"), ETCD.endpointList());
        Map<String, String> variables = etcdVariables();
        variables.put("TLS_CA_FILE", ETCD.caFile().toString());

        HttpResponse<String> reload = service.start(variables).reload();

        assertEquals(200, reload.statusCode(), reload.body());
        assertTrue(reload.body().contains("\"host\":\"smtp.tls.example\""), reload.body());
    }

    @Test
    void withoutTheAuthorityTheServerIsNotTrusted() throws Exception {
        HttpResponse<String> reload = service.start(etcdVariables()).reload();

        assertEquals(503, reload.statusCode(), reload.body());
        // gRPC waits for a ready connection until the call's deadline, so the handshake's failure is not told.
        assertTrue(reload.body().contains("Cannot read /services/smtp: etcd did not answer within"), reload.body());
        assertFalse(reload.body().contains("127.0.0.1"), "an answer shows etcd's address");
    }
}
