package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigRepository.ChangeListener;
import dev.mailservice.domain.Backoff;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;

/**
 * One subscription of {@link RedisStore#watch} to {@value RedisStore#INVALIDATION_CHANNEL}, kept
 * alive on a thread of its own, since Jedis does not resubscribe by itself: made again after it is
 * lost, and pinged when it has been silent, since its connection may be dead without either side
 * having been told. The subscription's thread only reads from its connection once subscribed; the
 * ping thread writes a PING on it only then, and never on a connection that is gone.
 */
final class RedisSubscription extends JedisPubSub {

    /** How long a subscription may hear nothing before it checks that Redis still answers on it. */
    static final int PING_INTERVAL_SECONDS = 5;
    private static final Duration PING_INTERVAL = Duration.ofSeconds(PING_INTERVAL_SECONDS);
    /** How often a subscription is looked at: whether to ping it, or whether its ping went unanswered. */
    private static final Duration CHECK_PERIOD = Duration.ofSeconds(1);
    /** How long to wait before subscribing again: 100 ms after a loss, then doubling up to 5 s. */
    private static final Backoff RESUBSCRIBE_DELAYS = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    /** The store's logger: operators follow a store's subscriptions under its name. */
    private static final System.Logger LOG = System.getLogger(RedisStore.class.getName());

    private final String path;
    private final ChangeListener listener;
    /** The server's address and timeout: how long a PING may go unanswered. */
    private final RedisEndpoint endpoint;
    /** Opens a connection of its own to the server, not one of the store's pooled ones. */
    private final Supplier<Connection> connect;
    /** The store's thread that checks its subscriptions. */
    private final ScheduledExecutorService pings;
    private volatile boolean closed;
    /** The connection being made or used, so that {@link #close} can end it. */
    private volatile Connection connection;
    /** The connection while it is subscribed; null otherwise. */
    private volatile Connection subscribedOn;
    /**
     * The connection whose SUBSCRIBE went out and is not confirmed yet, and since when; null
     * otherwise. Jedis waits for the confirmation without a limit (it lifts the read timeout before
     * it subscribes), so the checks drop one that takes longer than the timeout.
     */
    private volatile Connection awaitingConfirmation;
    private volatile long subscribeSentNanos;
    private volatile long lastHeardNanos;
    /** Whether a PING went out that nothing was heard after yet, and when. */
    private volatile boolean pingUnanswered;
    private volatile long pingSentNanos;
    // Touched only by the checks, one at a time.
    private long lastCheckNanos = System.nanoTime();
    private final Object pingLock = new Object();
    // Touched by the subscription's own thread only (run, and the callbacks proceed makes).
    private boolean lost;
    /** Whether the subscription ever stood: one that could not be made yet is not lost when it fails. */
    private boolean established;
    /** The attempts to subscribe that failed in a row before the latest; 0 when the subscription stood until then. */
    private int failedAttempts;

    RedisSubscription(String path, ChangeListener listener, RedisEndpoint endpoint, Supplier<Connection> connect,
            ScheduledExecutorService pings) {
        this.path = path;
        this.listener = listener;
        this.endpoint = endpoint;
        this.connect = connect;
        this.pings = pings;
    }

    /** Subscribes, and again each time the subscription is lost, until it is closed or the store is. */
    void run() {
        ScheduledFuture<?> ping;
        try {
            ping = pings.scheduleWithFixedDelay(this::checkAlive, CHECK_PERIOD.toMillis(),
                    CHECK_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException storeClosed) {
            return;
        }
        try {
            while (!closed) {
                subscribeOnce();
                if (closed || !sleep(RESUBSCRIBE_DELAYS.delay(failedAttempts++))) {
                    return;
                }
            }
        } finally {
            ping.cancel(false);
        }
    }

    /** Connects, subscribes, and returns when the subscription ends, however it ends. */
    private void subscribeOnce() {
        Connection subscribing = null;
        try {
            subscribing = connect.get();
            connection = subscribing;
            if (!closed) {
                subscribeSentNanos = System.nanoTime();
                awaitingConfirmation = subscribing;
                proceed(subscribing, RedisStore.INVALIDATION_CHANNEL); // returns when unsubscribed, or fails
            }
        } catch (RuntimeException e) { // a JedisException, or a listener's failure: either ends this subscription
            if (!closed && !lost) {
                lost = true;
                LOG.log(Level.WARNING, established
                        ? "Lost the subscription to {0} on Redis at {1} ({2}); it resumes when Redis answers"
                        : "Cannot subscribe to {0} on Redis at {1} yet ({2}); the subscription starts when Redis "
                                + "answers", RedisStore.INVALIDATION_CHANNEL, endpoint.address(), e.getMessage());
            }
        } finally {
            // Under the ping lock: a PING written on a closed Jedis connection would open a new one.
            synchronized (pingLock) {
                awaitingConfirmation = null;
                subscribedOn = null;
                connection = null;
                if (subscribing != null) {
                    subscribing.close();
                }
            }
        }
    }

    @Override
    public void onSubscribe(String channel, int subscribedChannels) {
        heard();
        Connection subscribed = connection;
        synchronized (pingLock) {
            awaitingConfirmation = null; // the checks then never drop it for a confirmation they saw late
        }
        // Subscribed within the timeout; from now on the channel may rightly stay silent for hours.
        // (Not setTimeoutInfinite: on a connection close() just broke, it would open a new one.)
        subscribed.setSoTimeout(0);
        subscribedOn = subscribed;
        failedAttempts = 0;
        if (closed) {
            // Subscribed just as the subscription was closed (Jedis opens the connection again when the
            // close broke it before the SUBSCRIBE): nobody listens any more, and the thread ends with it.
            unsubscribe();
            return;
        }
        if (lost) {
            lost = false;
            if (established) {
                LOG.log(Level.INFO, "The subscription to {0} on Redis at {1} is back", RedisStore.INVALIDATION_CHANNEL,
                        endpoint.address());
                listener.watchResumed();
            } else {
                LOG.log(Level.INFO, "Subscribed to {0} on Redis at {1}", RedisStore.INVALIDATION_CHANNEL,
                        endpoint.address());
            }
        }
        established = true;
        listener.storedConfigurationMayHaveChanged(); // a change may have been missed meanwhile
    }

    @Override
    public void onMessage(String channel, String message) {
        heard();
        if (!closed && (path.equals(message) || RedisStore.CLEAR_ALL.equals(message))) {
            listener.storedConfigurationMayHaveChanged();
        }
    }

    @Override
    public void onPong(String message) {
        heard();
    }

    private void heard() {
        lastHeardNanos = System.nanoTime();
        pingUnanswered = false;
    }

    /**
     * Pings a subscription silent for a ping interval, and drops one whose ping stayed
     * unanswered for the timeout: its connection may be dead without either side having been
     * told. Silence alone is never judged: only a ping that went out, or a SUBSCRIBE not
     * confirmed within the timeout.
     */
    private void checkAlive() {
        long now = System.nanoTime();
        // A check that comes late shows the process starved of CPU: the answer may be waiting unread on
        // the subscription's thread, so an unanswered PING or SUBSCRIBE is judged only by a check on time.
        boolean onTime = now - lastCheckNanos < CHECK_PERIOD.toNanos() * 3 / 2;
        lastCheckNanos = now;
        synchronized (pingLock) {
            Connection unconfirmed = awaitingConfirmation;
            if (!closed && unconfirmed != null && onTime && now - subscribeSentNanos > endpoint.timeout().toNanos()) {
                disconnect(unconfirmed);
                return;
            }
        }
        Connection current = subscribedOn;
        if (closed || current == null) {
            return;
        }
        try {
            if (pingUnanswered) {
                if (onTime && now - pingSentNanos > endpoint.timeout().toNanos()) {
                    disconnect(current);
                }
            } else if (now - lastHeardNanos >= PING_INTERVAL.toNanos()) {
                synchronized (pingLock) {
                    if (current == subscribedOn) {
                        pingSentNanos = now;
                        pingUnanswered = true; // before the PING: its PONG may come back at once
                        ping();
                    }
                }
            }
        } catch (RuntimeException e) {
            disconnect(current); // the subscription's thread sees the loss and subscribes again
        }
    }

    /** Ends the subscription; its thread sees the loss and stops. */
    void close() {
        closed = true;
        Connection current = connection;
        if (current != null) {
            disconnect(current);
        }
    }

    private static void disconnect(Connection connection) {
        try {
            connection.forceDisconnect();
        } catch (Exception alreadyGone) {
            // the subscription's thread sees the loss and acts on it
        }
    }

    private boolean sleep(Duration delay) {
        try {
            Thread.sleep(delay);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
