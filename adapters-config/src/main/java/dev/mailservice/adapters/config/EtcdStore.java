package dev.mailservice.adapters.config;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.out.ConfigRepository.ChangeListener;
import dev.mailservice.application.port.out.ConfigRepository.Subscription;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
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
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The service's connection to etcd, shared by everything it reads there. Every call is bounded
 * by one timeout, and every failure to reach etcd becomes a {@link BackendUnavailable} that says
 * what failed without naming the endpoints (see {@link ConnectionFailure}).
 *
 * <p>The timeout is a gRPC deadline on the call itself, not only on the wait for its answer.
 * jetcd queues a call until the connection is ready ({@code waitForReady}) and gives no way to
 * cancel it: without a deadline, a write the service gave up on (and answered 503 for) would go out
 * once etcd is back, maybe over a newer value. With one, gRPC drops the call at the deadline
 * unsent. The answer is awaited a little longer than the deadline, so that the call's own outcome,
 * not the wait, decides what the caller is told. A write etcd took and did not answer (a leader
 * without its quorum, a slow disk, a paused process) is applied when it can be: such a write is
 * checked, and made final where etcd answers the check ({@link #writeOver}); where it does not, the
 * failure says that the write may still apply. It is a compare-and-set on the revision the caller
 * read, so it can never undo a newer one.
 */
public final class EtcdStore implements PipesHubStore {

    private static final System.Logger LOG = System.getLogger(EtcdStore.class.getName());
    private static final Duration WATCH_RESTART_DELAY = Duration.ofSeconds(1);
    /** How much longer than a call's deadline its answer is awaited (the deadline starts on jetcd's thread, a little later). */
    private static final Duration DEADLINE_MARGIN = Duration.ofSeconds(1);
    private static final String KV_SERVICE = "etcdserverpb.KV";
    /** What gRPC (1.7x) says of a call whose deadline came while it waited for a connection, unsent. */
    private static final String NEVER_SENT = "waiting_for_connection";
    /**
     * Room in one gRPC answer beside the value (the key, the header, a watch event's fields), so that
     * a value just over the limit is still taken in and refused by its length.
     */
    private static final int ANSWER_OVERHEAD_BYTES = 64 * 1024;

    private final Client client;
    private final Duration timeout;
    private final int maxValueBytes;
    private final String endpoints;
    private final String description;
    private final ScheduledExecutorService watchRestarts = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("etcd-watch-restart").daemon(true).factory());

    /**
     * Connects lazily: no call is made until the first read.
     *
     * @param endpoints client URLs of the etcd members, e.g. {@code http://127.0.0.1:2379}; with
     *                  {@code https} ones (all of them, then), the connection is TLS
     * @param timeout   limit for connecting and for every call
     * @param trust     the certificate authorities a TLS connection trusts
     * @param maxValueBytes the longest value {@link #get} reads; a longer one is refused, and gRPC
     *                  does not take in an answer much longer than that
     */
    public EtcdStore(List<URI> endpoints, Duration timeout, TrustManagerFactory trust, int maxValueBytes) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd needs at least one endpoint");
        }
        if (maxValueBytes < 1) {
            throw new IllegalArgumentException("maxValueBytes must be positive");
        }
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxValueBytes = maxValueBytes;
        this.endpoints = endpoints.stream().map(URI::toString).collect(Collectors.joining(","));
        this.description = "etcd at " + this.endpoints;
        ClientBuilder builder = Client.builder().endpoints(endpoints.toArray(URI[]::new)).connectTimeout(timeout)
                .interceptor(deadlineOnKeyValueCalls(timeout))
                .maxInboundMessageSize(Math.addExact(maxValueBytes, ANSWER_OVERHEAD_BYTES));
        if (endpoints.stream().anyMatch(endpoint -> "https".equals(endpoint.getScheme()))) {
            try {
                builder.sslContext(tls -> tls.trustManager(trust));
            } catch (SSLException e) {
                throw new IllegalStateException("Cannot set up TLS for " + description + ": " + e.getMessage(), e);
            }
        }
        this.client = builder.build();
    }

    /**
     * Puts a deadline of {@code timeout} on every single-answer call of etcd's key-value service
     * (get, put, transaction); the watch's long-lived stream keeps none.
     */
    private static ClientInterceptor deadlineOnKeyValueCalls(Duration timeout) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                boolean keyValueCall = method.getType() == MethodDescriptor.MethodType.UNARY
                        && KV_SERVICE.equals(method.getServiceName());
                return next.newCall(method, keyValueCall && options.getDeadline() == null
                        ? options.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                        : options);
            }
        };
    }

    /** {@code etcd key <key>}, for messages about one key. */
    @Override
    public String locationOf(String key) {
        return "etcd key " + key;
    }

    /** The members' client URLs, comma-separated. */
    @Override
    public String address() {
        return endpoints;
    }

    @Override
    public String kind() {
        return "etcd";
    }

    /** The timeout and the margin its answer is awaited with: a call the deadline missed still ends then. */
    @Override
    public Duration longestCall() {
        return timeout.plus(DEADLINE_MARGIN);
    }

    /**
     * The value of {@code key} with its mod revision, or empty when etcd holds none. etcd cannot
     * answer a value's length without the value, so a long one is refused once read, unless it is
     * too long for gRPC to take in at all.
     */
    @Override
    public Optional<Entry> get(String key) {
        List<KeyValue> values = await(client.getKVClient().get(bytes(key)), "read " + key).getKvs();
        if (values.isEmpty()) {
            return Optional.empty();
        }
        ByteSequence value = values.getFirst().getValue();
        if (value.size() > maxValueBytes) {
            throw UnusableValueException.tooLong(maxValueBytes);
        }
        return Optional.of(new Entry(value.toString(StandardCharsets.UTF_8), values.getFirst().getModRevision()));
    }

    @Override
    public int maxValueBytes() {
        return maxValueBytes;
    }

    /** The stamp of {@code key}, its mod revision, read without its value; 0 when etcd holds none. */
    @Override
    public long stampOf(String key) {
        List<KeyValue> values = await(client.getKVClient().get(bytes(key), GetOption.builder().withKeysOnly(true).build()),
                "read " + key).getKvs();
        return values.isEmpty() ? 0 : values.getFirst().getModRevision();
    }

    /**
     * Sets {@code key} to {@code value} if its mod revision is still {@code expectedModRevision}
     * (0: if etcd holds none), in one transaction; returns the revision of the change. etcd's own
     * watch announces it.
     *
     * @throws WriteConflict if the key changed after that revision; nothing is written
     */
    @Override
    public long writeOver(String key, String value, long expectedModRevision) {
        TxnResponse response;
        try {
            response = await(writeIfAt(key, bytes(value), expectedModRevision), "write " + key);
        } catch (BackendUnavailable failed) {
            if (!unanswered(failed)) {
                throw failed;
            }
            return settle(key, bytes(value), expectedModRevision, failed);
        }
        if (!response.isSucceeded()) {
            throw new WriteConflict(locationOf(key) + " was changed by another write after revision "
                    + expectedModRevision + ", which this write was based on; nothing was written. Read it again "
                    + "and retry.");
        }
        return response.getHeader().getRevision();
    }

    /** Puts {@code value} at {@code key} if its mod revision is {@code expectedModRevision}, in one transaction. */
    private CompletableFuture<TxnResponse> writeIfAt(String key, ByteSequence value, long expectedModRevision) {
        ByteSequence keyBytes = bytes(key);
        return client.getKVClient().txn()
                .If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.put(keyBytes, value, PutOption.DEFAULT))
                .commit();
    }

    /**
     * Whether a write's failure leaves it unknown whether etcd took it: no answer, or the connection
     * lost on the way. A call that reached its deadline still waiting for a connection was never sent
     * (gRPC notes {@value #NEVER_SENT} in its status then), and is dropped unsent.
     */
    private static boolean unanswered(BackendUnavailable failure) {
        Throwable cause = failure.getCause();
        if (cause instanceof TimeoutException) {
            return true;
        }
        Status status = Status.fromThrowable(cause);
        return switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> !String.valueOf(status.getDescription()).contains(NEVER_SENT);
            case UNAVAILABLE, CANCELLED, UNKNOWN -> true;
            default -> false;
        };
    }

    /**
     * What became of a write etcd did not answer ({@code unanswered}), found out and made final where
     * etcd answers now: a leader that took the write without its quorum, or a slow disk, applies it
     * once it can, after the caller was told it failed. The key is read: holding this write's value
     * (its encryption makes every value written unique), the write was applied and its revision is
     * answered. At another revision than the one the write was based on, its compare can never pass
     * any more: it is not stored (never applied, or written over since), a conflict. At that revision
     * still, the value there is written over with itself in the same compare-and-set, so that the
     * write, should etcd still hold it, finds another revision and fails; if another write came
     * first, the key is read once more. A write that was to create the key cannot be stopped so
     * without writing a value (and passes again whenever the key is removed), nor can anything while
     * etcd does not answer the check: the failure then says that it may still apply.
     *
     * @throws WriteConflict      when another write came: this one is not stored, and never will be
     * @throws BackendUnavailable saying whether the write may still apply
     */
    private long settle(String key, ByteSequence value, long expectedModRevision, BackendUnavailable unanswered) {
        String failure = unanswered.getMessage();
        boolean fenced = false;
        try {
            for (int look = 0; look < 2 && !fenced; look++) {
                List<KeyValue> values = await(client.getKVClient().get(bytes(key)), "read " + key).getKvs();
                Optional<KeyValue> now = values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
                if (now.isPresent() && now.get().getValue().equals(value)) {
                    LOG.log(Level.INFO, "etcd applied the write of {0} it had not answered in time (revision {1})",
                            key, now.get().getModRevision());
                    return now.get().getModRevision();
                }
                if (expectedModRevision == 0 || now.map(KeyValue::getModRevision).orElse(0L) != expectedModRevision) {
                    break;
                }
                fenced = await(writeIfAt(key, now.get().getValue(), expectedModRevision), "write " + key).isSucceeded();
            }
        } catch (UnusableValueException tooLongToRead) {
            // Not this write's value, which fits; but a value too long to read may be the one it was to
            // replace, at its revision still, which cannot be written over with itself.
            long revisionNow;
            try {
                revisionNow = stampOf(key);
            } catch (BackendUnavailable noAnswerAgain) {
                throw checkUnanswered(failure, expectedModRevision, unanswered);
            }
            if (revisionNow == expectedModRevision) {
                throw new BackendUnavailable(failure + "; etcd may still apply this write, "
                        + stillApplies(expectedModRevision), unanswered.getCause());
            }
        } catch (BackendUnavailable noAnswerAgain) {
            throw checkUnanswered(failure, expectedModRevision, unanswered);
        }
        if (fenced) {
            throw new BackendUnavailable(failure + "; nothing was written (checked once etcd answered)",
                    unanswered.getCause());
        }
        if (expectedModRevision == 0) {
            throw new BackendUnavailable(failure + "; etcd may still apply this write, " + stillApplies(0),
                    unanswered.getCause());
        }
        throw new WriteConflict(locationOf(key) + " was changed by another write after revision " + expectedModRevision
                + " while etcd did not answer this one in time; this one is not stored (never applied, or written "
                + "over since), and can no longer be applied. Read it again and retry.");
    }

    /** The failure of a write whose check etcd did not answer either. */
    private static BackendUnavailable checkUnanswered(String failure, long expectedModRevision,
            BackendUnavailable unanswered) {
        return new BackendUnavailable(failure + ", nor to the check that followed: etcd may still apply this write, "
                + stillApplies(expectedModRevision), unanswered.getCause());
    }

    /** When a write over {@code expectedModRevision} (0: to create the key) that etcd may still hold can apply. */
    private static String stillApplies(long expectedModRevision) {
        return expectedModRevision == 0 ? "which was to create the key, whenever nothing is stored there"
                : "over revision " + expectedModRevision + " only (never over a newer value)";
    }

    /**
     * Tells {@code listener} when {@code key} changes, and each time the watch is (re)established,
     * since a change may have been missed while it was down. jetcd resumes a broken watch by
     * itself; a watch it gives up on (the revision it would resume from was compacted, say), or
     * one answered below the revision it had reached (etcd's history went back), is started again
     * here.
     */
    @Override
    public Subscription watch(String key, ChangeListener listener) {
        KeyWatch watch = new KeyWatch(key, listener);
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
            return call.get(timeout.plus(DEADLINE_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw noAnswer(what, e);
        } catch (ExecutionException e) {
            Status status = Status.fromThrowable(e.getCause());
            // gRPC's own limit on an answer's size (etcd says "too many requests" with this code too).
            if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED
                    && String.valueOf(status.getDescription()).contains("exceeds maximum size")) {
                throw UnusableValueException.tooLong(maxValueBytes);
            }
            throw switch (status.getCode()) {
                case DEADLINE_EXCEEDED -> noAnswer(what, e.getCause());
                // gRPC's description of an unreachable member may name its address (see ConnectionFailure).
                case UNAVAILABLE -> new BackendUnavailable("Cannot " + what + ": "
                        + ConnectionFailure.describe(e.getCause(), "etcd").orElse("etcd cannot be reached"), e.getCause());
                default -> new BackendUnavailable("Cannot " + what + ": etcd answered " + status.getCode()
                        + (status.getDescription() != null ? " (" + status.getDescription() + ")" : ""), e.getCause());
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw new BackendUnavailable("Interrupted while waiting for etcd to " + what, e);
        }
    }

    private BackendUnavailable noAnswer(String what, Throwable cause) {
        return new BackendUnavailable(
                "Cannot " + what + ": etcd did not answer within " + timeout.toMillis() + " ms", cause);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    private final class KeyWatch implements Watch.Listener {

        private final String key;
        private final ChangeListener listener;
        private volatile Watch.Watcher watcher;
        private volatile boolean closed;
        private volatile boolean broken;
        /** Whether the watch ever ran: one that could not start yet is not a lost watch when it fails. */
        private volatile boolean established;
        /** The highest revision the watch's answers named: a lower one means etcd's history went back. */
        private volatile long highestRevision;

        KeyWatch(String key, ChangeListener listener) {
            this.key = key;
            this.listener = listener;
        }

        /** Opens the watch, unless it was closed; synchronised with close, so no watch opens after it. */
        synchronized void open() {
            if (closed) {
                return;
            }
            // Told of the watch's creation too: that is when a change missed while it was down is re-read.
            // Only from a member with a leader: one cut off from the others' quorum keeps a watch open and
            // silent while they take writes; with the leader required, etcd ends the watch, and it is
            // opened again where a leader is.
            watcher = client.getWatchClient().watch(bytes(key),
                    WatchOption.builder().withCreateNotify(true).withRequireLeader(true).build(), this);
        }

        @Override
        public void onNext(WatchResponse response) {
            if (closed) {
                return; // an event already on its way when the watch was closed: nobody listens any more
            }
            long revision = response.getHeader().getRevision();
            if (revision < highestRevision) {
                // etcd's history went back (recreated, or restored from an older snapshot), or a member behind
                // the others answered. jetcd resumes a watch from the revision it had reached, which etcd takes
                // as a start in the future: the writes until then would go unannounced. Opened afresh, the
                // watch starts where etcd is now (its closing opens it again, and its opening re-reads the key).
                LOG.log(Level.WARNING, "etcd at {1} answered the watch of {0} at revision {2}, below the {3} it had "
                        + "reached (its history went back, or a member behind the others answered); the watch is "
                        + "opened again from revision {2}", key, description, revision, highestRevision);
                highestRevision = 0;
                watcher.close();
                return;
            }
            highestRevision = revision;
            if (broken) {
                broken = false;
                if (established) {
                    LOG.log(Level.INFO, "The watch of {0} on {1} is back", key, description);
                    listener.watchResumed();
                } else {
                    LOG.log(Level.INFO, "Watching {0} on {1}", key, description);
                }
            }
            established = true;
            listener.storedConfigurationMayHaveChanged();
        }

        @Override
        public void onError(Throwable error) {
            if (!broken) {
                broken = true;
                LOG.log(Level.WARNING, established
                        ? "Lost the watch of {0} on {1} ({2}); it resumes when etcd answers"
                        : "Cannot watch {0} on {1} yet ({2}); the watch starts when etcd answers",
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
