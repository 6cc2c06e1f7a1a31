package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** PipesHub's token secrets, read from each of its key-value stores as a PipesHub deployment keeps them. */
class PipesHubTokenSecretsTest {

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain();

    private final AesGcmCipher cipher = new AesGcmCipher("deployment-secret-key");

    /** One store, empty at {@link PipesHubTokenSecrets#PATH}, with a way to write there as PipesHub does. */
    private interface Store extends AutoCloseable {
        PipesHubStore store();

        void put(String value) throws Exception;

        @Override
        void close() throws Exception;
    }

    private static Store onEtcd() throws Exception {
        EtcdTestClient raw = new EtcdTestClient(ETCD.endpoints());
        raw.delete(PipesHubTokenSecrets.PATH);
        EtcdStore store = new EtcdStore(ETCD.endpoints().stream().map(URI::create).toList(), Duration.ofSeconds(2),
                PipesHubStoreContractTest.JDK_TRUST,
                ConfigRepositoryContractTest.MAX_VALUE_BYTES);
        return new Store() {
            public PipesHubStore store() {
                return store;
            }

            public void put(String value) throws Exception {
                raw.put(PipesHubTokenSecrets.PATH, value);
            }

            public void close() {
                store.close();
                raw.close();
            }
        };
    }

    private static Store onRedis() {
        RedisTestClient raw = REDIS.client();
        String key = RedisStore.DEFAULT_KEY_PREFIX + PipesHubTokenSecrets.PATH;
        raw.delete(key);
        RedisStore store = new RedisStore(new RedisEndpoint(REDIS.host(), REDIS.port(), 0, Optional.empty(),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(2)), RedisStore.DEFAULT_KEY_PREFIX,
                ConfigRepositoryContractTest.MAX_VALUE_BYTES);
        return new Store() {
            public PipesHubStore store() {
                return store;
            }

            public void put(String value) {
                raw.set(key, value);
            }

            public void close() {
                store.close();
                raw.close();
            }
        };
    }

    interface Opener {
        Store open() throws Exception;
    }

    static Stream<Named<Opener>> stores() {
        return Stream.of(Named.of("etcd", PipesHubTokenSecretsTest::onEtcd), Named.of("redis", PipesHubTokenSecretsTest::onRedis));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void readsBothSecretsAsPipesHubStoresThem(Opener opener) throws Exception {
        try (Store store = opener.open()) {
            store.put(cipher.encrypt("{\"jwtSecret\":\"Abcdefghij0123456789\",\"scopedJwtSecret\":\"Zyxwvutsrq9876543210\","
                    + "\"cookieSecret\":\"other\"}"));

            PipesHubTokenSecrets.Secrets secrets = new PipesHubTokenSecrets(store.store(), cipher).read().orElseThrow();

            assertEquals(Optional.of("Abcdefghij0123456789"), secrets.jwtSecret());
            assertEquals(Optional.of("Zyxwvutsrq9876543210"), secrets.scopedJwtSecret());
            assertEquals("Secrets[jwtSecret hidden, scopedJwtSecret hidden]", secrets.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void nothingStoredIsEmpty(Opener opener) throws Exception {
        try (Store store = opener.open()) {
            assertEquals(Optional.empty(), new PipesHubTokenSecrets(store.store(), cipher).read());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aMissingFieldIsEmpty(Opener opener) throws Exception {
        try (Store store = opener.open()) {
            store.put(cipher.encrypt("{\"jwtSecret\":\"Abcdefghij0123456789\"}"));

            assertEquals(Optional.empty(),
                    new PipesHubTokenSecrets(store.store(), cipher).read().orElseThrow().scopedJwtSecret());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aValueEncryptedWithAnotherKeyIsRefusedWithoutShowingIt(Opener opener) throws Exception {
        try (Store store = opener.open()) {
            store.put(new AesGcmCipher("another-key").encrypt("{\"scopedJwtSecret\":\"Zyxwvutsrq9876543210\"}"));
            PipesHubTokenSecrets secrets = new PipesHubTokenSecrets(store.store(), cipher);

            PipesHubTokenSecrets.UnreadableSecretsException refusal =
                    assertThrows(PipesHubTokenSecrets.UnreadableSecretsException.class, secrets::read);

            assertTrue(refusal.getMessage().startsWith("The token secrets in " + secrets.location()), refusal.getMessage());
            assertTrue(refusal.getMessage().contains("/services/secretKeys"), refusal.getMessage());
            assertTrue(refusal.getMessage().contains("cannot be decrypted"), refusal.getMessage());
            assertFalse(refusal.getMessage().contains("Zyxwvutsrq9876543210"), refusal.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aValueLongerThanTheLimitIsRefused(Opener opener) throws Exception {
        try (Store store = opener.open()) {
            store.put("0".repeat(ConfigRepositoryContractTest.MAX_VALUE_BYTES + 1));
            PipesHubTokenSecrets secrets = new PipesHubTokenSecrets(store.store(), cipher);

            PipesHubTokenSecrets.UnreadableSecretsException refusal =
                    assertThrows(PipesHubTokenSecrets.UnreadableSecretsException.class, secrets::read);

            assertEquals("The token secrets in " + secrets.location() + " cannot be read: the value is longer than the limit of "
                    + ConfigRepositoryContractTest.MAX_VALUE_BYTES + " bytes", refusal.getMessage());
        }
    }
}
