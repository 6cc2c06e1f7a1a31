package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PipesHubTokenSecretsTest {

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    private final AesGcmCipher cipher = new AesGcmCipher("deployment-secret-key");
    private EtcdTestClient rawClient;
    private EtcdStore store;

    @BeforeEach
    void connect() throws Exception {
        rawClient = new EtcdTestClient(ETCD.endpoints());
        rawClient.delete(PipesHubTokenSecrets.KEY);
        store = new EtcdStore(ETCD.endpoints().stream().map(URI::create).toList(), Duration.ofSeconds(2));
    }

    @AfterEach
    void disconnect() {
        store.close();
        rawClient.close();
    }

    private void putRaw(String value) throws Exception {
        rawClient.put(PipesHubTokenSecrets.KEY, value);
    }

    @Test
    void readsBothSecretsAsPipesHubStoresThem() throws Exception {
        putRaw(cipher.encrypt("{\"jwtSecret\":\"Abcdefghij0123456789\",\"scopedJwtSecret\":\"Zyxwvutsrq9876543210\","
                + "\"cookieSecret\":\"other\"}"));

        PipesHubTokenSecrets.Secrets secrets = new PipesHubTokenSecrets(store, cipher).read().orElseThrow();

        assertEquals(Optional.of("Abcdefghij0123456789"), secrets.jwtSecret());
        assertEquals(Optional.of("Zyxwvutsrq9876543210"), secrets.scopedJwtSecret());
    }

    @Test
    void nothingStoredIsEmpty() {
        assertEquals(Optional.empty(), new PipesHubTokenSecrets(store, cipher).read());
    }

    @Test
    void aMissingFieldIsEmpty() throws Exception {
        putRaw(cipher.encrypt("{\"jwtSecret\":\"Abcdefghij0123456789\"}"));

        assertEquals(Optional.empty(), new PipesHubTokenSecrets(store, cipher).read().orElseThrow().scopedJwtSecret());
    }

    @Test
    void aValueEncryptedWithAnotherKeyIsRefusedWithoutShowingIt() throws Exception {
        putRaw(new AesGcmCipher("another-key").encrypt("{\"scopedJwtSecret\":\"Zyxwvutsrq9876543210\"}"));

        PipesHubTokenSecrets.UnreadableSecretsException refusal = assertThrows(PipesHubTokenSecrets.UnreadableSecretsException.class,
                () -> new PipesHubTokenSecrets(store, cipher).read());

        assertTrue(refusal.getMessage().startsWith("The token secrets in etcd key /services/secretKeys"), refusal.getMessage());
        assertTrue(refusal.getMessage().contains("cannot be decrypted"), refusal.getMessage());
    }
}
