package dev.mailservice.testkit;

import java.util.Optional;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * Writes, reads and publishes on a test Redis exactly as given, as PipesHub or an operator would.
 * Its connections are checked before each use, so it carries on across a restart of the server.
 */
public final class RedisTestClient implements AutoCloseable {

    private final RedisClient client;

    public RedisTestClient(String host, int port, Optional<String> password, int database) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(5_000).socketTimeoutMillis(30_000).database(database);
        password.ifPresent(config::password);
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setTestOnBorrow(true);
        pool.setJmxEnabled(false);
        this.client = RedisClient.builder().hostAndPort(new HostAndPort(host, port)).clientConfig(config.build())
                .poolConfig(pool).build();
    }

    public boolean ping() {
        return "PONG".equals(client.ping());
    }

    /** SETs {@code key}, as PipesHub's store does, without announcing it. */
    public void set(String key, String value) {
        client.set(key, value);
    }

    /** The value of {@code key} as stored, or empty when there is none. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(client.get(key));
    }

    public void delete(String key) {
        client.del(key);
    }

    /** PUBLISHes {@code message} on {@code channel}; returns how many subscribers received it. */
    public long publish(String channel, String message) {
        return client.publish(channel, message);
    }

    @Override
    public void close() {
        client.close();
    }
}
