package dev.mailservice.application.service;

import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.application.port.out.MailRenderer;
import dev.mailservice.application.port.out.MailTransport;
import dev.mailservice.application.port.out.MailTransportFactory;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.MailRequest;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** In-memory stand-ins for the out-ports, recording what the services do with them. */
final class Fakes {

    /** Long enough for any token request of a test: what a send's deadline leaves it. */
    static final Duration ANY_WAIT = Duration.ofMinutes(1);

    private Fakes() {}

    static SmtpConfiguration configuration(String host) {
        return SmtpConfiguration.of(host, 587, "user", "pa55word", "noreply@example.com", false);
    }

    static MailMessage message() {
        return new MailMessage(List.of(new EmailAddress("to@example.com")), List.of(), "subject", "<p>hi</p>", "hi",
                List.of());
    }

    /**
     * A repository whose next answer the test sets; it notices reads that overlap, counts reads,
     * and lets the test play the backend's change notifications.
     */
    static final class Repository implements ConfigRepository {

        private volatile Supplier<Optional<StoredSmtpConfiguration>> answer = Optional::empty;
        private final AtomicInteger readsUnderWay = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
        volatile boolean overlappingReadSeen;

        void stores(SmtpConfiguration configuration) {
            stores(configuration, StoredSmtpConfiguration.UNVERSIONED);
        }

        void stores(SmtpConfiguration configuration, long revision) {
            StoredSmtpConfiguration stored = new StoredSmtpConfiguration(configuration, revision, OpaqueFields.NONE);
            answer = () -> Optional.of(stored);
        }

        void answers(Supplier<Optional<StoredSmtpConfiguration>> next) {
            answer = next;
        }

        void announceChange() {
            listeners.forEach(ChangeListener::storedConfigurationMayHaveChanged);
        }

        /**
         * Makes each read open {@code started}, then wait for {@code mayFinish} before it answers
         * as the repository did so far: a read under way, for as long as the test needs.
         */
        void holdsReads(CountDownLatch started, CountDownLatch mayFinish) {
            Supplier<Optional<StoredSmtpConfiguration>> then = answer;
            answer = () -> {
                started.countDown();
                await(mayFinish);
                return then.get();
            };
        }

        void fails(RuntimeException failure) {
            answer = () -> {
                throw failure;
            };
        }

        @Override
        public Optional<StoredSmtpConfiguration> load() {
            reads.incrementAndGet();
            if (readsUnderWay.incrementAndGet() > 1) {
                overlappingReadSeen = true;
            }
            try {
                Thread.yield();
                return answer.get();
            } finally {
                readsUnderWay.decrementAndGet();
            }
        }

        /** Saved configurations, in order; each save stores the value at the next revision. */
        final List<SmtpConfiguration> saved = new CopyOnWriteArrayList<>();
        private final AtomicInteger revisions = new AtomicInteger(100);
        /** Whether saves have revisions, as etcd's do, or not, as files' do not. */
        volatile boolean versioned = true;
        /** Runs once a value is stored, before the save returns. */
        volatile Runnable afterSave = () -> {};

        /** The expected revision each save was given, in order. */
        final List<Long> expectedRevisions = new CopyOnWriteArrayList<>();

        @Override
        public long currentRevision() {
            return answer.get().map(StoredSmtpConfiguration::revision).orElse(StoredSmtpConfiguration.UNVERSIONED);
        }

        @Override
        public long save(SmtpConfiguration configuration, OpaqueFields otherFields, long expectedRevision) {
            expectedRevisions.add(expectedRevision);
            if (versioned && expectedRevision != currentRevision()) {
                throw new WriteConflict("fake store changed since revision " + expectedRevision);
            }
            saved.add(configuration);
            long revision = versioned ? revisions.incrementAndGet() : StoredSmtpConfiguration.UNVERSIONED;
            StoredSmtpConfiguration stored = new StoredSmtpConfiguration(configuration, revision, otherFields);
            answer = () -> Optional.of(stored);
            afterSave.run();
            return revision;
        }

        /** What {@link #longestCall()} answers. */
        volatile Duration callLimit = Duration.ofSeconds(10);
        /** Runs each time the core asks how long a call may take, as it does before it waits for its lock. */
        volatile Runnable onLongestCallAsked = () -> {};

        @Override
        public Duration longestCall() {
            onLongestCallAsked.run();
            return callLimit;
        }

        /** Runs as a watch is opened, its listener told of changes already: a test holds the opening there. */
        volatile Runnable onWatch = () -> {};

        @Override
        public Subscription watch(ChangeListener listener) {
            listeners.add(listener);
            onWatch.run();
            return () -> listeners.remove(listener);
        }

        @Override
        public String backendName() {
            return "fake";
        }

        @Override
        public String location() {
            return "fake store";
        }
    }

    /** A factory that records every transport it builds. */
    static final class TransportFactory implements MailTransportFactory {

        final List<Transport> built = new CopyOnWriteArrayList<>();
        volatile RuntimeException failure;

        /** The credentials each transport was built with, in the order built. */
        final List<SmtpCredentials> credentials = new CopyOnWriteArrayList<>();

        @Override
        public Transport create(SmtpConfiguration configuration, SmtpCredentials logIn) {
            if (failure != null) {
                throw failure;
            }
            Transport transport = new Transport(configuration);
            built.add(transport);
            credentials.add(logIn);
            return transport;
        }

        Transport last() {
            return built.getLast();
        }
    }

    /**
     * A transport that counts sends and closes, refuses to send once closed, and can hold a send
     * before it composes the message, as a real one waits for a connection.
     */
    static final class Transport implements MailTransport {

        final SmtpConfiguration configuration;
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger sendsAfterClose = new AtomicInteger();
        volatile MailMessage lastMessage;
        volatile CountDownLatch sendStarted;
        volatile CountDownLatch sendMayFinish;
        volatile RuntimeException failure;

        Transport(SmtpConfiguration configuration) {
            this.configuration = configuration;
        }

        /** The next sends signal {@code sendStarted} and then wait for {@code sendMayFinish}. */
        void holdSends(CountDownLatch started, CountDownLatch mayFinish) {
            sendStarted = started;
            sendMayFinish = mayFinish;
        }

        /** The next sends end with {@code failure} once they composed their message; null for none. */
        void failWith(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public Sent send(Supplier<MailMessage> composer) {
            if (closes.get() > 0) {
                sendsAfterClose.incrementAndGet();
            }
            if (sendStarted != null) {
                sendStarted.countDown();
                await(sendMayFinish);
            }
            if (closes.get() > 0) {
                sendsAfterClose.incrementAndGet();
            }
            lastMessage = composer.get();
            if (failure != null) {
                throw failure;
            }
            sent.incrementAndGet();
            return new Sent(1, "250 2.0.0 Ok: queued", Optional.of("<fake-1@example.com>"));
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }

        boolean isClosed() {
            return closes.get() > 0;
        }
    }

    /** A renderer that shows a request's {@code name} and says the test mail's server. */
    static class Renderer implements MailRenderer {

        @Override
        public RenderedMail render(MailRequest request) {
            return new RenderedMail("Default subject", "<p>" + request.templateData().get("name") + "</p>",
                    request.templateData().get("name"));
        }

        @Override
        public RenderedMail renderTestMail(String server) {
            return new RenderedMail("Test mail", "<p>via " + server + "</p>", "via " + server);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting for a latch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Records what the services report, as lines such as {@code reload file applied}. */
    static final class Metrics implements ServiceMetrics {

        final List<String> events = new CopyOnWriteArrayList<>();
        /** How long each reload and send took, as reported. */
        final List<Duration> durations = new CopyOnWriteArrayList<>();
        /** Runs as each reload is counted, after the count. */
        volatile Consumer<ReloadOutcome> onReloadCounted = outcome -> {};

        @Override
        public void reloadFinished(String source, ReloadOutcome outcome, Duration took) {
            events.add("reload " + source + " " + outcome.name().toLowerCase(Locale.ROOT));
            durations.add(took);
            onReloadCounted.accept(outcome);
        }

        @Override
        public void mailFinished(String template, MailOutcome outcome, Duration took) {
            events.add("mail " + template + " " + outcome.name().toLowerCase(Locale.ROOT));
            durations.add(took);
        }

        @Override
        public void watchResumed(String source) {
            events.add("watch resumed " + source);
        }

        @Override
        public void verificationFinished(VerificationTrigger trigger, Optional<SmtpStep> failedStep) {
            events.add("verification " + trigger.name().toLowerCase(Locale.ROOT) + " "
                    + failedStep.map(step -> "failed at " + step.key()).orElse("passed"));
        }

        @Override
        public void verificationRefused() {
            events.add("verification refused");
        }

        @Override
        public void tokenRequested(String kind, TokenOutcome outcome) {
            events.add("token " + kind + " " + outcome.name().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * A token endpoint whose answers the test sets: by default a new token {@code token-<n>} valid
     * for an hour. It records every request.
     */
    static final class Tokens implements TokenEndpoint {

        final List<OAuth2Login> requested = new CopyOnWriteArrayList<>();
        final AtomicInteger issued = new AtomicInteger();
        volatile Duration lifetime = Duration.ofHours(1);
        volatile Optional<Password> rotateTo = Optional.empty();
        /** When set, every request is answered this way instead. */
        volatile Answer answer;
        /** Runs inside each request: what happens meanwhile elsewhere. */
        volatile Runnable whileRequesting = () -> {};

        @Override
        public Answer request(OAuth2Login login, String username) {
            requested.add(login);
            whileRequesting.run();
            return answer != null ? answer
                    : new Issued(Password.of("token-" + issued.incrementAndGet()), lifetime, rotateTo, "scope");
        }

        @Override
        public URI endpointOf(OAuth2Login login) {
            return URI.create("https://idp.example.com/token");
        }
    }

    /** A clock the test moves forward. */
    static final class SettableClock extends java.time.Clock {

        private volatile java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** A scheduler that runs what is scheduled only when the test says so, as a clock would have it due. */
    static final class ManualScheduler extends java.util.concurrent.ScheduledThreadPoolExecutor {

        record Task(Runnable command, Duration delay, java.util.concurrent.atomic.AtomicBoolean cancelled) {}

        final List<Task> tasks = new CopyOnWriteArrayList<>();

        ManualScheduler() {
            super(1);
        }

        @Override
        public java.util.concurrent.ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            Task task = new Task(command, Duration.ofNanos(unit.toNanos(delay)), new java.util.concurrent.atomic.AtomicBoolean());
            tasks.add(task);
            return cancellable(task);
        }

        /** Queued as due now: it runs when the test says, on the test's thread, as another thread would later. */
        @Override
        public void execute(Runnable command) {
            schedule(command, 0, TimeUnit.MILLISECONDS);
        }

        /** The tasks scheduled and not cancelled, and not run yet. */
        List<Task> pending() {
            return tasks.stream().filter(task -> !task.cancelled().get()).toList();
        }

        /** Runs the tasks pending now, each once. */
        void runPending() {
            List<Task> due = pending();
            tasks.removeAll(due);
            due.forEach(task -> task.command().run());
        }

        private static java.util.concurrent.ScheduledFuture<?> cancellable(Task task) {
            return new java.util.concurrent.ScheduledFuture<Void>() {
                @Override public long getDelay(TimeUnit unit) { return unit.convert(task.delay()); }
                @Override public int compareTo(java.util.concurrent.Delayed other) { return 0; }
                @Override public boolean cancel(boolean mayInterrupt) { task.cancelled().set(true); return true; }
                @Override public boolean isCancelled() { return task.cancelled().get(); }
                @Override public boolean isDone() { return task.cancelled().get(); }
                @Override public Void get() { return null; }
                @Override public Void get(long timeout, TimeUnit unit) { return null; }
            };
        }
    }

    /**
     * A probe whose answer the test sets: every step passes, or the steps up to one that fails
     * with a problem. It records what it was asked, and can hold each probe until the test lets it go.
     */
    static final class Probe implements SmtpProbe {

        final List<SmtpConfiguration> probed = new CopyOnWriteArrayList<>();
        final List<Optional<MailMessage>> testMails = new CopyOnWriteArrayList<>();
        volatile SmtpProbe.Probe answer = passing();
        volatile CountDownLatch started = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);
        /** Runs while each configuration is probed: what happens meanwhile elsewhere. */
        volatile Consumer<SmtpConfiguration> whileProbing = configuration -> {};

        static SmtpProbe.Probe passing() {
            return new SmtpProbe.Probe(List.of(step(SmtpStep.DNS, true), step(SmtpStep.CONNECT, true),
                    step(SmtpStep.GREETING, true), step(SmtpStep.EHLO, true), step(SmtpStep.TLS, true),
                    step(SmtpStep.AUTH, true)), Optional.empty(),
                    Optional.of(new Capabilities(true, List.of("PLAIN"), OptionalLong.empty())), List.of("PLAIN", "LOGIN"));
        }

        /** The steps before {@code failed} pass, and it fails with {@code problem}; EHLO offered {@code offered}. */
        static SmtpProbe.Probe failing(SmtpStep failed, Problem problem, Optional<Capabilities> offered) {
            List<SmtpStep.Result> steps = new java.util.ArrayList<>();
            for (SmtpStep step : List.of(SmtpStep.DNS, SmtpStep.CONNECT, SmtpStep.GREETING, SmtpStep.EHLO, SmtpStep.TLS,
                    SmtpStep.AUTH, SmtpStep.SEND)) {
                steps.add(step(step, step != failed));
                if (step == failed) {
                    break;
                }
            }
            return new SmtpProbe.Probe(steps, Optional.of(problem), offered, List.of("PLAIN", "LOGIN"));
        }

        private static SmtpStep.Result step(SmtpStep step, boolean ok) {
            return new SmtpStep.Result(step, ok, Duration.ofMillis(1), ok ? "fine" : "what the server did");
        }

        /** The credentials of each probe, in order. */
        final List<SmtpCredentials> credentials = new CopyOnWriteArrayList<>();

        @Override
        public SmtpProbe.Probe probe(SmtpConfiguration configuration, SmtpCredentials logIn,
                Optional<MailMessage> testMail, Duration limit) {
            probed.add(configuration);
            credentials.add(logIn);
            testMails.add(testMail);
            whileProbing.accept(configuration);
            started.countDown();
            await(release);
            return answer;
        }
    }
}
