package dev.mailservice.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * Writes, reads and publishes on a test Redis exactly as given, as PipesHub or an operator would.
 * Its connections are checked before each use, so it carries on across a restart of the server.
 */
public final class RedisTestClient implements AutoCloseable {

    private final RedisClient client;
    private final String host;
    private final int port;
    private final Optional<String> password;

    public RedisTestClient(String host, int port, Optional<String> password, int database) {
        this.host = host;
        this.port = port;
        this.password = password;
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

    /** HSETs {@code field} of the hash at {@code key}: a value of another type than a string. */
    public void hashSet(String key, String field, String value) {
        client.hset(key, field, value);
    }

    /**
     * Makes the string at {@code key} {@code length} bytes long, filled with zero bytes past what it
     * held (SETRANGE), without sending them: a large value at the cost of a few bytes.
     */
    public void lengthen(String key, long length) {
        client.setrange(key, length - 1, "\0");
    }

    /** How many bytes the server has sent to all its clients since it started (INFO's total_net_output_bytes). */
    public long bytesSentByServer() {
        return client.info("stats").lines().filter(line -> line.startsWith("total_net_output_bytes:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).strip())).findFirst()
                .orElseThrow(() -> new IllegalStateException("INFO stats has no total_net_output_bytes"));
    }

    /** The ids of the connections subscribed to a channel (CLIENT LIST TYPE pubsub). */
    public List<String> subscriberIds() {
        Object list = client.sendCommand(Protocol.Command.CLIENT, "LIST", "TYPE", "pubsub");
        return new String((byte[]) list, StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank())
                .map(line -> line.substring("id=".length(), line.indexOf(' '))).toList();
    }

    public void delete(String key) {
        client.del(key);
    }

    /** PUBLISHes {@code message} on {@code channel}; returns how many subscribers received it. */
    public long publish(String channel, String message) {
        return client.publish(channel, message);
    }

    /** Sets the server's configuration parameter {@code name} to {@code value} (CONFIG SET), until it restarts. */
    public void configure(String name, String value) {
        client.configSet(name, value);
    }

    /**
     * PUBLISHes {@code message} on {@code channel} {@code times} times as fast as Redis reads them: the commands
     * written back to back on a connection of their own while the replies are read alongside, as {@code redis-cli
     * --pipe} does. Returns once Redis answered them all.
     */
    public void publishMany(String channel, String message, int times) throws IOException, InterruptedException {
        try (Socket socket = new Socket(host, port)) {
            int replies = times + (password.isPresent() ? 1 : 0);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    for (int lines = 0; lines < replies; ) {
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        lines += b == '\n' ? 1 : 0;
                    }
                } catch (IOException closed) {
                    // the writer fails too, and says so
                }
            });
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            if (password.isPresent()) {
                out.write(command("AUTH", password.get()));
            }
            byte[] publish = command("PUBLISH", channel, message);
            for (int i = 0; i < times; i++) {
                out.write(publish);
            }
            out.flush();
            reader.join();
        }
    }

    /** A command in Redis's protocol (RESP), as an array of bulk strings. */
    private static byte[] command(String... words) {
        StringBuilder command = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            command.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(word)
                    .append("\r\n");
        }
        return command.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}
