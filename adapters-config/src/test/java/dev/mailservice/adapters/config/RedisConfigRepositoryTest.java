package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import dev.mailservice.testkit.TcpProxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The contracts on a real Redis, plus what only the Redis layout does: the key prefix, the logical
 * database, and PipesHub's invalidation channel in both directions.
 */
class RedisConfigRepositoryTest extends PipesHubStoreContractTest {

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain();

    private static RedisTestClient rawClient;

    @BeforeAll
    static void connectRawClient() {
        rawClient = REDIS.client();
    }

    @AfterAll
    static void closeRawClient() {
        rawClient.close();
    }

    private static RedisEndpoint endpoint(int port, int database, Duration timeout) {
        return new RedisEndpoint("127.0.0.1", port, database, Optional.empty(), Optional.empty(), Optional.empty(),
                timeout);
    }

    @Override
    PipesHubStore connect(Duration timeout) {
        return new RedisStore(endpoint(REDIS.port(), 0, timeout), RedisStore.DEFAULT_KEY_PREFIX, MAX_VALUE_BYTES);
    }

    @Override
    PipesHubStore connectNowhere(int closedPort, Duration timeout) {
        return new RedisStore(endpoint(closedPort, 0, timeout), RedisStore.DEFAULT_KEY_PREFIX, MAX_VALUE_BYTES);
    }

    @Override
    String unreachableReason() {
        return "Redis refused the connection";
    }

    /** SET, then PUBLISH the path on the invalidation channel: what PipesHub's key-value service does. */
    @Override
    void putRaw(String path, String value) {
        rawClient.set(RedisStore.DEFAULT_KEY_PREFIX + path, value);
        rawClient.publish(RedisStore.INVALIDATION_CHANNEL, path);
    }

    @Override
    void deleteRaw(String path) {
        rawClient.delete(RedisStore.DEFAULT_KEY_PREFIX + path);
    }

    @Override
    void stopServer() throws Exception {
        REDIS.stop();
    }

    @Override
    void startServer() throws Exception {
        REDIS.restart();
    }

    @Override
    String expectedSourceName() {
        return "redis";
    }

    @Test
    void aValueOfAnotherTypeIsAnInvalidConfigurationThatNamesTheType() {
        rawClient.hashSet("pipeshub:kv:/services/smtp", "host", "smtp.example.com");

        InvalidInput refusal = assertThrows(InvalidInput.class,
                () -> repository().load());

        assertEquals("The SMTP configuration in Redis key pipeshub:kv:/services/smtp cannot be read: the value is a "
                + "hash, not a string", refusal.getMessage());
    }

    @Test
    void aValueFarOverTheLimitIsRefusedWithoutBeingSent() {
        long length = 64L * 1024 * 1024;
        rawClient.lengthen("pipeshub:kv:/services/smtp", length);
        long sentBefore = rawClient.bytesSentByServer();

        InvalidInput refusal = assertThrows(InvalidInput.class,
                () -> repository().load());

        assertTrue(refusal.getMessage().endsWith("the value is longer than the limit of " + MAX_VALUE_BYTES + " bytes"),
                refusal.getMessage());
        long sent = rawClient.bytesSentByServer() - sentBefore;
        assertTrue(sent < length / 64, "Redis sent " + sent + " bytes for the read");
    }

    @Test
    void theValueLivesAtThePrefixedKeyInPipesHubsLayout() {
        repository().save(SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false), OpaqueFields.NONE, 0);

        assertTrue(rawClient.get("pipeshub:kv:/services/smtp").orElseThrow().matches("[0-9a-f]{24}:[0-9a-f]+:[0-9a-f]{32}"));
        assertEquals("Redis key pipeshub:kv:/services/smtp", repository().location());
    }

    @Test
    void aSaveIsPublishedOnPipesHubsInvalidationChannelWithThePath() throws Exception {
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                messages.add(channel + " " + message);
            }
        };
        try (Jedis subscriber = new Jedis(REDIS.host(), REDIS.port())) {
            Thread.ofVirtual().start(() -> subscriber.subscribe(listener, RedisStore.INVALIDATION_CHANNEL));
            eventually(listener::isSubscribed, "the test's subscription did not start");

            repository().save(SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false), OpaqueFields.NONE, 0);

            assertEquals("pipeshub:cache:invalidate /services/smtp", messages.poll(15, TimeUnit.SECONDS));
            listener.unsubscribe();
        }
    }

    @Test
    void aClearAllMessageIsAnnouncedAndAnotherPathIsNot() throws Exception {
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository().watch(announcements::incrementAndGet)) {
            awaitWatching(announcements);
            int before = announcements.get();

            rawClient.publish(RedisStore.INVALIDATION_CHANNEL, "/services/storage");
            rawClient.publish(RedisStore.INVALIDATION_CHANNEL, RedisStore.CLEAR_ALL);

            eventually(() -> announcements.get() > before, "__CLEAR_ALL__ was not announced");
            awaitQuiet(announcements);
            assertEquals(before + 1, announcements.get(), "another path was announced too");
        }
    }

    @Test
    void anotherKeyPrefixAndDatabaseReadTheirOwnKey() throws Exception {
        storeRaw(VALID_DOCUMENT);
        try (RedisTestClient database3 = REDIS.client(3)) {
            database3.set("tenant-a:/services/smtp", cipher.encrypt(VALID_DOCUMENT.replace("587", "2525")));
            KeyValueConfigRepository elsewhere = new KeyValueConfigRepository(
                    new RedisStore(endpoint(REDIS.port(), 3, TIMEOUT), "tenant-a:", MAX_VALUE_BYTES), cipher);
            try (elsewhere) {
                assertEquals(2525, elsewhere.load().orElseThrow().configuration().port());
                assertEquals("Redis key tenant-a:/services/smtp", elsewhere.location());
            } finally {
                database3.delete("tenant-a:/services/smtp");
            }
        }
        assertEquals(587, repository().load().orElseThrow().configuration().port());
    }

    @Test
    void aChangeMadeWhileTheServerWasDownIsAnnouncedOnceTheSubscriptionIsBack() throws Exception {
        storeRaw(VALID_DOCUMENT);
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository().watch(announcements::incrementAndGet)) {
            awaitWatching(announcements);
            int beforeOutage = announcements.get();

            REDIS.stop();
            REDIS.changeWhileStopped(client -> client.set("pipeshub:kv:/services/smtp",
                    cipher.encrypt(VALID_DOCUMENT.replace("587", "2525"))));
            REDIS.restart();

            eventually(() -> announcements.get() > beforeOutage, "the resubscription was not announced");
            assertEquals(2525, repository().load().orElseThrow().configuration().port());
        }
    }

    @Test
    void aSaveOnAPooledConnectionGoneStaleIsMadeOnAFreshOne() throws Exception {
        SmtpConfiguration first = SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false);
        SmtpConfiguration second = SmtpConfiguration.of("relay.local", 2525, null, null, "relay@example.com", false);
        try (TcpProxy proxy = new TcpProxy(REDIS.port());
                KeyValueConfigRepository throughProxy = new KeyValueConfigRepository(
                        new RedisStore(endpoint(proxy.port(), 0, TIMEOUT), RedisStore.DEFAULT_KEY_PREFIX, MAX_VALUE_BYTES),
                        cipher)) {
            throughProxy.save(first, OpaqueFields.NONE, 0);
            // As a NAT or a load balancer that forgot the idle connection: it stays open, and nothing passes.
            proxy.silenceOpen();

            throughProxy.save(second, OpaqueFields.NONE, 0);

            assertEquals(second, repository().load().orElseThrow().configuration());
        }
    }

    @Test
    void aPooledConnectionLeftUnusedPastTheIdleLimitIsClosedAndTheNextCallOpensAnother() throws Exception {
        storeRaw(VALID_DOCUMENT);
        try (TcpProxy proxy = new TcpProxy(REDIS.port());
                RedisStore redis = new RedisStore(endpoint(proxy.port(), 0, TIMEOUT), RedisStore.DEFAULT_KEY_PREFIX,
                        MAX_VALUE_BYTES, Duration.ofSeconds(2))) {
            assertTrue(redis.get(KeyValueConfigRepository.PATH).isPresent());
            assertEquals(1, proxy.connectionsOpen());

            // Before a middlebox could forget it, so that no call ever waits on a connection gone silent.
            eventually(() -> proxy.connectionsOpen() == 0, "the idle pooled connection was not closed");

            assertTrue(redis.get(KeyValueConfigRepository.PATH).isPresent());
            assertEquals(2, proxy.connectionsAccepted());
        }
    }

    /**
     * What protects a save that reached a stalled Redis and was given up on: when Redis runs it
     * after its deadline, the script writes and announces nothing.
     */
    @Test
    void aWriteRunAfterItsDeadlineWritesAndAnnouncesNothing() throws Exception {
        storeRaw(VALID_DOCUMENT);
        AtomicInteger announcements = new AtomicInteger();
        try (ConfigRepository.Subscription ignored = repository().watch(announcements::incrementAndGet)) {
            awaitWatching(announcements);
            int before = announcements.get();
            RedisStore redis = (RedisStore) store();

            BackendUnavailable refusal = assertThrows(BackendUnavailable.class, () -> redis.setAndAnnounce(
                    KeyValueConfigRepository.PATH, cipher.encrypt(VALID_DOCUMENT.replace("587", "2525")),
                    () -> System.currentTimeMillis() - 1));

            assertTrue(refusal.getMessage().contains("ran the write after its deadline had passed, so it wrote nothing"),
                    refusal.getMessage());
            assertEquals(587, repository().load().orElseThrow().configuration().port());
            Thread.sleep(500);
            assertEquals(before, announcements.get(), "a refused write was announced");
        }
    }

    /** A watch of the configuration's path, started, counting what it tells. */
    private static final class CountingWatch extends CountingListener implements AutoCloseable {
        private final ConfigRepository.Subscription subscription;

        CountingWatch(PipesHubStore store) throws InterruptedException {
            subscription = store.watch(KeyValueConfigRepository.PATH, this);
            eventually(() -> announcements.get() == 1, "the subscription did not start");
        }

        @Override
        public void close() {
            subscription.close();
        }
    }

    /**
     * A subscription closed just as it subscribes, after it looked whether it was closed: Jedis opens
     * its connection again when it is told to wait without a limit, so the SUBSCRIBE goes out on a
     * fresh one. That subscription ends as soon as it is confirmed, and its thread with it.
     */
    @Test
    void aSubscriptionClosedAsItSubscribesEndsAndLeavesNoSubscriber() throws Exception {
        RedisEndpoint endpoint = endpoint(REDIS.port(), 0, TIMEOUT);
        AtomicReference<RedisSubscription> closing = new AtomicReference<>();
        ScheduledExecutorService pings = Executors.newSingleThreadScheduledExecutor();
        RedisSubscription subscription = new RedisSubscription(KeyValueConfigRepository.PATH, new CountingListener(),
                endpoint, () -> new Connection(new HostAndPort(endpoint.host(), endpoint.port()),
                        DefaultJedisClientConfig.builder().build()) {
                    @Override
                    public void setTimeoutInfinite() {
                        closing.get().close(); // closed between its own look and Jedis's
                        super.setTimeoutInfinite();
                    }
                }, pings);
        closing.set(subscription);
        try {
            Thread thread = Thread.ofPlatform().daemon(true).start(subscription::run);
            thread.join(Duration.ofSeconds(10));

            assertFalse(thread.isAlive(), "the subscription's thread is still waiting on a subscription nobody wants");
            eventually(() -> rawClient.subscriberIds().isEmpty(), "a subscriber is left on Redis");
        } finally {
            pings.shutdownNow();
        }
    }

    /**
     * A timeout far below the ping interval: the quiet subscription is pinged and kept, on one
     * connection, never dropped for its silence (three ping intervals, fifteen times the timeout).
     */
    @Test
    void aQuietSubscriptionIsKeptThroughThreePingsWithAOneSecondTimeout() throws Exception {
        try (PipesHubStore store = connect(Duration.ofSeconds(1)); CountingWatch watch = new CountingWatch(store)) {
            List<String> subscribers = rawClient.subscriberIds();
            assertEquals(1, subscribers.size(), subscribers.toString());

            Thread.sleep(Duration.ofSeconds(3 * RedisSubscription.PING_INTERVAL_SECONDS));

            assertEquals(subscribers, rawClient.subscriberIds(), "the subscription was made again");
            assertEquals(0, watch.resumptions.get());
            assertEquals(1, watch.announcements.get());
            rawClient.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);
            eventually(() -> watch.announcements.get() == 2, "the kept subscription did not hear a message");
        }
    }

    /**
     * A connection that goes silent after its SUBSCRIBE went out, before Redis confirmed it (Jedis
     * waits for that without a limit): dropped after the timeout, and the subscription made again.
     */
    @Test
    void aSubscriptionWhoseConfirmationNeverComesIsMadeAgain() throws Exception {
        try (TcpProxy proxy = new TcpProxy(REDIS.port());
                PipesHubStore store = new RedisStore(endpoint(proxy.port(), 0, Duration.ofSeconds(1)),
                        RedisStore.DEFAULT_KEY_PREFIX, MAX_VALUE_BYTES)) {
            proxy.silenceTheNextConnectionAt("SUBSCRIBE");
            try (CountingWatch watch = new CountingWatch(store)) {
                // Started on the second connection: the first, never confirmed, never stood, and was not lost.
                assertEquals(0, watch.resumptions.get(), "a subscription that never stood was counted as resumed");
                rawClient.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);
                eventually(() -> watch.announcements.get() == 2, "the new subscription did not hear a message");
            }
        }
    }

    /** A Redis that goes silent with the connection open: the unanswered ping drops it, and it is made again. */
    @Test
    void aSubscriptionToAFrozenRedisIsDroppedAndMadeAgainOnceItAnswers() throws Exception {
        try (PipesHubStore store = connect(Duration.ofSeconds(1)); CountingWatch watch = new CountingWatch(store)) {
            REDIS.pause();
            try {
                Thread.sleep(Duration.ofSeconds(10)); // 5 s of silence, a ping, 1 s without its answer
            } finally {
                REDIS.resume();
            }

            eventually(() -> watch.resumptions.get() == 1, "the subscription was not made again");
            int before = watch.announcements.get();
            rawClient.publish(RedisStore.INVALIDATION_CHANNEL, KeyValueConfigRepository.PATH);
            eventually(() -> watch.announcements.get() > before, "the new subscription did not hear a message");
        }
    }
}
