package dev.mailservice.bootstrap.pipeshub;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.PipesHubTokenSecrets;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PipesHub's callers against the packaged jar on etcd, set up as a PipesHub deployment is: its
 * variables only (SECRET_KEY, ETCD_HOST, ETCD_PORT, HIDE_SECRET_CONFIG), the token secrets read
 * from its /services/secretKeys.
 */
class PipesHubCallersOnEtcdIT extends PipesHubCallers {

    private static final String SECRET_KEY = "deployment-secret-key-of-pipeshub";

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    @TempDir
    static Path directory;

    private static EtcdTestClient etcd;
    private static final AesGcmCipher CIPHER = new AesGcmCipher(SECRET_KEY);

    @BeforeAll
    static void start() throws Exception {
        etcd = new EtcdTestClient(ETCD.endpoints());
        etcd.put(PipesHubTokenSecrets.PATH, CIPHER.encrypt("{\"jwtSecret\": \"" + JWT_SECRET + "\", \"scopedJwtSecret\": \""
                + SCOPED_SECRET + "\", \"cookieSecret\": \"another-secret\"}"));
        URI endpoint = URI.create(ETCD.endpoints().getFirst());
        startJar(directory, Map.of("SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                "ETCD_HOST", "http://" + endpoint.getHost(), "ETCD_PORT", Integer.toString(endpoint.getPort()),
                "HIDE_SECRET_CONFIG", "true", "PORT", "0"));
    }

    @AfterAll
    static void disconnect() {
        etcd.close();
    }

    @Override
    void clearStore() throws Exception {
        etcd.delete(KeyValueConfigRepository.PATH);
    }

    @Override
    void storeAsPipesHub(String json) throws Exception {
        etcd.put(KeyValueConfigRepository.PATH, CIPHER.encrypt(json));
    }

    @Override
    boolean hidesSecretConfig() {
        return true;
    }
}
