package dev.mailservice.bench;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.RedisStore;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A key-value backend as the benchmark drives it: written as PipesHub writes, read raw for the floor. Its two
 * kinds, {@link #etcd etcd} and {@link #redis Redis}, store the configuration encrypted with the secret key the
 * service and PipesHub's peer are given.
 */
abstract class KeyValueBackend implements AutoCloseable {

    private static final String SECRET_KEY = "benchmark-secret-key";
    private static final AesGcmCipher CIPHER = new AesGcmCipher(SECRET_KEY);

    private final AutoCloseable readingClient;
    private final AutoCloseable writingClient;

    private KeyValueBackend(AutoCloseable reader, AutoCloseable writer) {
        this.readingClient = reader;
        this.writingClient = writer;
    }

    /** {@code etcd} or {@code redis}: the prefix of the figures' names. */
    abstract String name();

    /** The service's variables for this backend. */
    abstract Map<String, String> variables(boolean watch);

    /** Stores {@code json} as PipesHub does (on Redis: SET, then PUBLISH the path). */
    abstract void put(String json) throws Exception;

    /** Reads the key from this process with the backend's own client: the floor of a reload. */
    abstract boolean rawGet() throws Exception;

    /** The variables of PipesHub's own reload on this backend, in Node; null where the benchmark has none. */
    Map<String, String> pipesHubPeerVariables() {
        return null;
    }

    /** Closes the reading client, then the writing one, whatever the first threw. */
    @Override
    public final void close() throws Exception {
        try {
            readingClient.close();
        } finally {
            writingClient.close();
        }
    }

    static KeyValueBackend etcd(EtcdCluster etcd) {
        EtcdTestClient writer = new EtcdTestClient(etcd.endpoints());
        Client reader = Client.builder().endpoints(etcd.endpoints().toArray(String[]::new)).build();
        ByteSequence key = ByteSequence.from(KeyValueConfigRepository.PATH, StandardCharsets.UTF_8);
        return new KeyValueBackend(reader, writer) {
            public String name() {
                return "etcd";
            }

            public Map<String, String> variables(boolean watch) {
                return Map.of("SMTP_CONFIG_BACKEND", "etcd", "SECRET_KEY", SECRET_KEY,
                        "ETCD_ENDPOINTS", etcd.endpointList(), "SMTP_CONFIG_WATCH", Boolean.toString(watch));
            }

            public void put(String json) throws Exception {
                writer.put(KeyValueConfigRepository.PATH, CIPHER.encrypt(json));
            }

            public Map<String, String> pipesHubPeerVariables() {
                // SEED_ETCD: the peer first stores the other keys PipesHub's loadAppConfig reads.
                // Its send route is not measured here, but it will not start without an SMTP server.
                return Map.of("ETCD_ENDPOINTS", etcd.endpointList(), "SECRET_KEY", SECRET_KEY, "SEED_ETCD", "true",
                        "SMTP_HOST", "127.0.0.1", "SMTP_FROM", "a@bench.example");
            }

            public boolean rawGet() throws Exception {
                return !reader.getKVClient().get(key).get(10, TimeUnit.SECONDS).getKvs().isEmpty();
            }
        };
    }

    static KeyValueBackend redis(RedisServer redis) {
        RedisTestClient writer = redis.client();
        Jedis reader = new Jedis(redis.host(), redis.port());
        String key = RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH;
        return new KeyValueBackend(reader, writer) {
            public String name() {
                return "redis";
            }

            public Map<String, String> variables(boolean watch) {
                return Map.of("KV_STORE_TYPE", "redis", "SECRET_KEY", SECRET_KEY, "REDIS_HOST", redis.host(),
                        "REDIS_PORT", Integer.toString(redis.port()), "SMTP_CONFIG_WATCH", Boolean.toString(watch));
            }

            public void put(String json) {
                writer.set(key, CIPHER.encrypt(json));
                writer.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);
            }

            public boolean rawGet() {
                return reader.get(key) != null;
            }
        };
    }
}
