package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigBackendUnavailableException;
import dev.mailservice.application.port.out.ConfigRepository.Subscription;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The service's connection to etcd, shared by everything it reads there. Every call is bounded
 * by one timeout, and every failure to reach etcd becomes a {@link ConfigBackendUnavailableException}
 * that names the endpoints.
 */
public final class EtcdStore implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EtcdStore.class.getName());
    private static final Duration WATCH_RESTART_DELAY = Duration.ofSeconds(1);

    private final Client client;
    private final Duration timeout;
    private final String endpoints;
    private final String description;
    private final ScheduledExecutorService watchRestarts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("etcd-watch-restart").daemon(true).factory());

    /** A value read from etcd, with the revision of its last change. */
    record Entry(String value, long modRevision) {}

    /**
     * Connects lazily: no call is made until the first read.
     *
     * @param endpoints client URLs of the etcd members, e.g. {@code http://127.0.0.1:2379}
     * @param timeout   limit for connecting and for every call
     */
    public EtcdStore(List<URI> endpoints, Duration timeout) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd needs at least one endpoint");
        }
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.endpoints = endpoints.stream().map(URI::toString).collect(Collectors.joining(","));
        this.description = "etcd at " + this.endpoints;
        this.client = Client.builder().endpoints(endpoints.toArray(URI[]::new)).connectTimeout(timeout).build();
    }

    /** {@code etcd at <endpoints>}, for messages. */
    String description() {
        return description;
    }

    /** {@code etcd key <key> at <endpoints>}, for messages about one key. */
    String locationOf(String key) {
        return "etcd key " + key + " at " + endpoints;
    }

    /** The value of {@code key}, or empty when etcd holds none. */
    Optional<Entry> get(String key) {
        GetResponse response = await(client.getKVClient().get(bytes(key)), "read " + key);
        List<KeyValue> values = response.getKvs();
        return values.isEmpty()
                ? Optional.empty()
                : Optional.of(new Entry(values.getFirst().getValue().toString(StandardCharsets.UTF_8),
                        values.getFirst().getModRevision()));
    }

    /** Sets {@code key} to {@code value}; returns the revision of the change. */
    long put(String key, String value) {
        return await(client.getKVClient().put(bytes(key), bytes(value)), "write " + key).getHeader().getRevision();
    }

    /**
     * Calls {@code onChange} when {@code key} changes, and each time the watch is (re)established,
     * since a change may have been missed while it was down. jetcd resumes a broken watch by
     * itself; a watch it gives up on (the revision it would resume from was compacted, say) is
     * started again here.
     */
    Subscription watch(String key, Runnable onChange) {
        KeyWatch watch = new KeyWatch(key, onChange);
        watch.open();
        return watch::close;
    }

    @Override
    public void close() {
        watchRestarts.shutdownNow();
        client.close();
    }

    private <T> T await(CompletableFuture<T> call, String what) {
        try {
            return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new ConfigBackendUnavailableException(
                    "Cannot " + what + ": " + description + " did not answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new ConfigBackendUnavailableException(
                    "Cannot " + what + " on " + description + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw new ConfigBackendUnavailableException("Interrupted while waiting for " + description, e);
        }
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    private final class KeyWatch implements Watch.Listener {

        private final String key;
        private final Runnable onChange;
        private volatile Watch.Watcher watcher;
        private volatile boolean closed;
        private volatile boolean broken;

        KeyWatch(String key, Runnable onChange) {
            this.key = key;
            this.onChange = onChange;
        }

        /** Opens the watch, unless it was closed; synchronised with close, so no watch opens after it. */
        synchronized void open() {
            if (closed) {
                return;
            }
            // Told of the watch's creation too: that is when a change missed while it was down is re-read.
            watcher = client.getWatchClient().watch(bytes(key), WatchOption.builder().withCreateNotify(true).build(), this);
        }

        @Override
        public void onNext(WatchResponse response) {
            if (broken) {
                broken = false;
                LOG.log(Level.INFO, "The watch of {0} on {1} is back", key, description);
            }
            onChange.run();
        }

        @Override
        public void onError(Throwable error) {
            if (!broken) {
                broken = true;
                LOG.log(Level.WARNING, "Lost the watch of {0} on {1} ({2}); it resumes when etcd answers",
                        key, description, error.getMessage());
            }
        }

        @Override
        public void onCompleted() {
            if (!closed) {
                try {
                    watchRestarts.schedule(this::open, WATCH_RESTART_DELAY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException storeClosed) {
                    // The store is closing: no watch of it can resume.
                }
            }
        }

        synchronized void close() {
            closed = true;
            watcher.close();
        }
    }
}
