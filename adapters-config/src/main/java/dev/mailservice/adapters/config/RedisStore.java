package dev.mailservice.adapters.config;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.port.out.ConfigRepository.ChangeListener;
import dev.mailservice.application.port.out.ConfigRepository.Subscription;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLParameters;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * PipesHub's key-value store on one Redis server: the value at a path such as
 * {@code /services/smtp} is the string at key {@code <prefix><path>}, and every write is announced
 * by PUBLISHing the path on {@value #INVALIDATION_CHANNEL}, where PipesHub's services listen.
 *
 * <p>The client is Jedis: its calls are synchronous and run once, on a pooled connection that
 * answered a PING when taken from the pool. Nothing is queued while Redis is away, and nothing is
 * replayed when it is back, so a write the caller gave up on is not sent again behind its back.
 * Jedis does not resubscribe by itself, so {@link #watch} keeps its subscription alive itself
 * ({@link RedisSubscription}).
 *
 * <p>Redis keeps nothing that tells one value from the next: every value's stamp is 0, and a write
 * replaces what is stored. Writes run as one script that refuses to act once the caller's deadline
 * has passed by Redis's clock: a write that reached a stalled Redis and was given up on is not
 * applied when Redis resumes. That holds as far as the clocks of this host and of Redis agree.
 */
public final class RedisStore implements PipesHubStore {

    /** PipesHub's channel for "this path changed"; the message is the path. */
    public static final String INVALIDATION_CHANNEL = "pipeshub:cache:invalidate";
    /** The message PipesHub publishes when every value may have changed (after a store migration). */
    public static final String CLEAR_ALL = "__CLEAR_ALL__";
    /** PipesHub's default key prefix ({@code REDIS_KV_PREFIX}). */
    public static final String DEFAULT_KEY_PREFIX = "pipeshub:kv:";

    /**
     * SET and PUBLISH in one step, unless Redis runs it after the deadline (ARGV[2], epoch
     * milliseconds): then it does nothing and answers Redis's time, so the caller can say so.
     */
    private static final String SET_AND_ANNOUNCE = """
            local now = redis.call('TIME')
            local nowMillis = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            if nowMillis > tonumber(ARGV[2]) then
              return nowMillis
            end
            redis.call('SET', KEYS[1], ARGV[1])
            redis.call('PUBLISH', ARGV[3], ARGV[4])
            return 0
            """;
    /**
     * GET, once TYPE and STRLEN said the key holds a string no longer than ARGV[1] bytes: answers
     * nil when there is no key, else a pair {@code {"value", v}}, {@code {"type", t}} or
     * {@code {"length", n}}, so that a value too long is never sent, nor read into memory here.
     * (A GET cannot be limited, and Jedis reads a whole reply before it hands it over.)
     */
    private static final String READ_IF_STRING_WITHIN = """
            local kind = redis.call('TYPE', KEYS[1])['ok']
            if kind == 'none' then
              return nil
            end
            if kind ~= 'string' then
              return {'type', kind}
            end
            local length = redis.call('STRLEN', KEYS[1])
            if length > tonumber(ARGV[1]) then
              return {'length', length}
            end
            return {'value', redis.call('GET', KEYS[1])}
            """;
    private static final int POOL_SIZE = 8;
    /**
     * How long a pooled connection may stay unused before it is closed. A connection a NAT or a
     * load balancer forgot stays open and silent, and the PING that checks it when it is taken
     * fails only at the timeout; several of them would cost a write several timeouts. Middleboxes
     * forget idle connections after minutes (Azure's load balancer after 4, AWS's NAT gateway after
     * 350 s): closed after one, none is left to go stale. The service's calls are rare, so
     * opening one again costs little.
     */
    static final Duration POOLED_IDLE_LIMIT = Duration.ofMinutes(1);

    private final RedisEndpoint endpoint;
    private final String keyPrefix;
    private final int maxValueBytes;
    private final HostAndPort hostAndPort;
    private final JedisClientConfig clientConfig;
    private final RedisClient client;
    /** The one thread that checks every subscription of this store. */
    private final ScheduledExecutorService pings = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("redis-subscription-ping").daemon(true).factory());
    private final Set<RedisSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    /**
     * Connects lazily: no call is made until the first read.
     *
     * @param keyPrefix     what goes before a path to make its key
     * @param maxValueBytes the longest value {@link #get} reads; a longer one is refused unread
     */
    public RedisStore(RedisEndpoint endpoint, String keyPrefix, int maxValueBytes) {
        this(endpoint, keyPrefix, maxValueBytes, POOLED_IDLE_LIMIT);
    }

    /** @param pooledIdleLimit how long a pooled connection may stay unused before it is closed */
    RedisStore(RedisEndpoint endpoint, String keyPrefix, int maxValueBytes, Duration pooledIdleLimit) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive");
        }
        this.maxValueBytes = maxValueBytes;
        this.hostAndPort = new HostAndPort(endpoint.host(), endpoint.port());
        this.clientConfig = clientConfig(endpoint);
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(POOL_SIZE);
        pool.setMaxIdle(POOL_SIZE);
        pool.setMinIdle(0);
        pool.setTestOnBorrow(true);
        pool.setMaxWait(endpoint.timeout());
        // The pool's evictor thread closes connections idle past the limit, a quarter of it late at most.
        pool.setMinEvictableIdleDuration(pooledIdleLimit);
        pool.setTimeBetweenEvictionRuns(pooledIdleLimit.dividedBy(4));
        pool.setNumTestsPerEvictionRun(POOL_SIZE);
        pool.setJmxEnabled(false);
        this.client = RedisClient.builder().hostAndPort(hostAndPort).clientConfig(clientConfig).poolConfig(pool).build();
    }

    private static JedisClientConfig clientConfig(RedisEndpoint endpoint) {
        int timeoutMillis = Math.toIntExact(endpoint.timeout().toMillis());
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis)
                .database(endpoint.database())
                // CLIENT SETINFO needs a permission an ACL user kept to its keys may lack, and Redis 7.0 lacks the command.
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                // RESP3 (Redis 6 and newer): a PING on a subscribed connection gets a reply Jedis consumes as such.
                .protocol(RedisProtocol.RESP3);
        endpoint.username().ifPresent(config::user);
        endpoint.password().ifPresent(config::password);
        endpoint.tls().ifPresent(context -> {
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            config.ssl(true).sslSocketFactory(context.getSocketFactory()).sslParameters(parameters);
        });
        return config.build();
    }

    private String key(String path) {
        return keyPrefix + path;
    }

    /** {@code Redis key <key>}, for messages about one path. */
    @Override
    public String locationOf(String path) {
        return "Redis key " + key(path);
    }

    /** {@code redis://host:port/db}, or {@code rediss://} with TLS. */
    @Override
    public String address() {
        return endpoint.address();
    }

    @Override
    public String kind() {
        return "redis";
    }

    /** Connecting, the pool's PING of a connection it hands out, and the call itself each give up after the timeout. */
    @Override
    public Duration longestCall() {
        return endpoint.timeout().multipliedBy(3);
    }

    /** Reads with {@link #READ_IF_STRING_WITHIN}: a value too long or of another type is refused before it is sent. */
    @Override
    public Optional<Entry> get(String path) {
        Object answer;
        try {
            answer = client.eval(READ_IF_STRING_WITHIN, List.of(key(path)), List.of(Integer.toString(maxValueBytes)));
        } catch (JedisException e) {
            throw unavailable("read " + key(path), e);
        }
        if (answer == null) {
            return Optional.empty();
        }
        if (answer instanceof List<?> reply && reply.size() == 2) {
            Object detail = reply.get(1);
            switch (String.valueOf(reply.getFirst())) {
                case "value" -> {
                    return Optional.of(new Entry((String) detail, 0));
                }
                case "type" -> throw UnusableValueException.notAString(String.valueOf(detail));
                case "length" -> throw UnusableValueException.tooLong(maxValueBytes);
                default -> { } // not this script's answer: said below
            }
        }
        throw new BackendUnavailable("Cannot read " + key(path) + ": Redis answered the read with " + answer, null);
    }

    @Override
    public int maxValueBytes() {
        return maxValueBytes;
    }

    /** Redis keeps no stamps: 0, whatever is stored. */
    @Override
    public long stampOf(String path) {
        return 0;
    }

    /**
     * Replaces the value and publishes {@code path}, in one script; {@code readStamp} is ignored.
     * The script's deadline is half the timeout away: the other half is left for its answer to come
     * back before the call gives up, so that a write Redis ran just in time is not reported as failed.
     */
    @Override
    public long writeOver(String path, String value, long readStamp) {
        setAndAnnounce(path, value, () -> System.currentTimeMillis() + endpoint.timeout().toMillis() / 2);
        return 0;
    }

    /**
     * SETs and PUBLISHes, unless Redis runs the script after the deadline (epoch milliseconds by
     * Redis's clock): then nothing is written. The deadline is set once the connection is taken
     * from the pool, as the write's own timeout starts then: taking a connection that has gone
     * stale waits for its PING to fail first.
     */
    void setAndAnnounce(String path, String value, LongSupplier deadlineMillis) {
        Object answer;
        try (Connection connection = client.getPool().getResource()) {
            answer = new Jedis(connection).eval(SET_AND_ANNOUNCE, List.of(key(path)),
                    List.of(value, Long.toString(deadlineMillis.getAsLong()), INVALIDATION_CHANNEL, path));
        } catch (JedisException e) {
            throw unavailable("write " + key(path), e);
        }
        if (!(answer instanceof Long code) || code != 0) {
            throw new BackendUnavailable("Cannot write " + key(path) + ": Redis ran the write after its deadline had "
                    + "passed, so it wrote nothing (Redis answered slowly, or the clocks of this host and of Redis "
                    + "disagree)", null);
        }
    }

    /**
     * Subscribes to {@value #INVALIDATION_CHANNEL} and tells {@code listener} of every message
     * naming {@code path} or {@value #CLEAR_ALL}, and each time the subscription is
     * (re)established. A lost subscription is made again 100 ms later, then up to every 5 s. A
     * subscription silent for {@value RedisSubscription#PING_INTERVAL_SECONDS} s is pinged, and
     * dropped (and made again) if nothing came back within the timeout of the ping. Once
     * subscribed, its reads wait without a limit, as silence is the channel's normal state: the
     * ping, not the socket's timeout, tells a dead connection from a quiet one, whatever the timeout.
     */
    @Override
    public Subscription watch(String path, ChangeListener listener) {
        RedisSubscription subscription = new RedisSubscription(path, listener, endpoint,
                () -> new Connection(hostAndPort, clientConfig), pings);
        subscriptions.add(subscription);
        Thread.ofPlatform().name("redis-subscription").daemon(true).start(subscription::run);
        return () -> {
            subscriptions.remove(subscription);
            subscription.close();
        };
    }

    /** Ends every subscription still open, then closes the pooled connections. */
    @Override
    public void close() {
        subscriptions.forEach(RedisSubscription::close);
        pings.shutdownNow();
        client.close();
    }

    /** A failed call, said without Redis's address (see {@link ConnectionFailure}). */
    private BackendUnavailable unavailable(String what, JedisException e) {
        return new BackendUnavailable("Cannot " + what + ": " + whyUnavailable(e), e);
    }

    private String whyUnavailable(JedisException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof JedisDataException refusal) { // an error Redis answered, e.g. WRONGPASS or NOPERM
                return "Redis answered " + refusal.getMessage();
            }
            if (cause instanceof SocketTimeoutException) {
                return "Redis did not answer within " + endpoint.timeout().toMillis() + " ms";
            }
        }
        // Not Jedis's message: it may name the address ("Failed to connect to 10.0.0.5:6379.").
        return ConnectionFailure.describe(e, "Redis").orElse("the connection to Redis failed");
    }
}
