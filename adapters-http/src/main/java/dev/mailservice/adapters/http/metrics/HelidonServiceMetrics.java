package dev.mailservice.adapters.http.metrics;

import dev.mailservice.adapters.http.observe.Observability;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.domain.SmtpStep;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * {@link ServiceMetrics} as Helidon meters, which {@link Observability} serves in Prometheus'
 * format under {@code /observe/metrics}. Every name starts with {@code mailservice}; tags carry a
 * backend's kind, a template's name or an outcome, never an address or a value of the
 * configuration. The meter list is in docs/operations.md.
 */
public final class HelidonServiceMetrics implements ServiceMetrics {

    /** Reloads take a millisecond over a file and a few over a network; a slow backend, seconds. */
    private static final Duration[] RELOAD_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(10)};
    /** A send to a relay takes milliseconds on a kept connection, a second or more through a slow provider. */
    private static final Duration[] SEND_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    /**
     * The sources of the functional counters and gauges. Micrometer holds a meter's source weakly, so a
     * bound method reference passed only to it is taken by a collection, and the counter stops
     * following it (it keeps showing the last value read, 0 if none was); these references keep
     * each source as long as these meters.
     */
    private final List<Supplier<?>> meterSources = new CopyOnWriteArrayList<>();

    /** On Helidon's global registry, the one the metrics endpoint serves. */
    public HelidonServiceMetrics() {
        this(Metrics.globalRegistry());
    }

    HelidonServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void reloadFinished(String source, ReloadOutcome outcome, Duration took) {
        List<Tag> tags = List.of(Tag.create("source", source), Tag.create("outcome", name(outcome)));
        registry.getOrCreate(Counter.builder("mailservice.reloads").description("Reloads of the SMTP configuration")
                .tags(tags)).increment();
        registry.getOrCreate(Timer.builder("mailservice.reload.duration").description("How long a reload took")
                .tags(List.of(Tag.create("source", source))).buckets(RELOAD_BUCKETS)).record(took);
    }

    @Override
    public void mailFinished(String template, MailOutcome outcome, Duration took) {
        registry.getOrCreate(Counter.builder("mailservice.mails").description("Mails the send route was asked for")
                .tags(List.of(Tag.create("template", template), Tag.create("outcome", name(outcome))))).increment();
        registry.getOrCreate(Timer.builder("mailservice.send.duration").description("How long a send took")
                .tags(List.of(Tag.create("template", template))).buckets(SEND_BUCKETS)).record(took);
    }

    @Override
    public void watchResumed(String source) {
        registry.getOrCreate(Counter.builder("mailservice.watch.resumed")
                .description("Times a lost watch of the backend was made again")
                .tags(List.of(Tag.create("source", source)))).increment();
    }

    @Override
    public void verificationFinished(VerificationTrigger trigger, Optional<SmtpStep> failedStep) {
        verifications(failedStep.isPresent() ? "failed" : "passed", name(trigger),
                failedStep.map(SmtpStep::key).orElse("none"));
    }

    @Override
    public void verificationRefused() {
        verifications("refused", name(VerificationTrigger.REQUEST), "none");
    }

    @Override
    public void tokenRequested(String kind, TokenOutcome outcome) {
        registry.getOrCreate(Counter.builder("mailservice.oauth2.token.requests")
                .description("Requests for an OAuth 2.0 access token to log in to the SMTP server with")
                .tags(List.of(Tag.create("kind", kind), Tag.create("outcome", name(outcome))))).increment();
    }

    private void verifications(String outcome, String trigger, String failedStep) {
        registry.getOrCreate(Counter.builder("mailservice.verifications")
                .description("Verifications of an SMTP configuration against its server")
                .tags(List.of(Tag.create("outcome", outcome), Tag.create("trigger", trigger),
                        Tag.create("step", failedStep)))).increment();
    }

    /**
     * Registers a counter read from {@code total}, a count that only grows, each time the meters are served.
     *
     * @param name a name under {@code mailservice.}, dotted
     */
    public void counter(String name, String description, Supplier<Long> total) {
        counter(name, description, Map.of(), total);
    }

    /**
     * Registers a counter read from {@code total}, a count that only grows, each time the meters are
     * served, one of a family told apart by {@code tags} (names and values, never a configuration
     * value).
     *
     * @param name a name under {@code mailservice.}, dotted
     */
    public void counter(String name, String description, Map<String, String> tags, Supplier<Long> total) {
        meterSources.add(total);
        List<Tag> tagList = tags.entrySet().stream().map(tag -> Tag.create(tag.getKey(), tag.getValue())).toList();
        registry.remove("mailservice." + name, tagList);
        registry.getOrCreate(FunctionalCounter.builder("mailservice." + name, total, Supplier::get).description(description)
                .tags(tagList));
    }

    /**
     * Registers a gauge read from {@code value} each time the meters are served.
     *
     * @param name a name under {@code mailservice.}, dotted
     */
    public void gauge(String name, String description, Supplier<? extends Number> value) {
        // A gauge of that name left by an earlier assembly in this JVM (tests assemble many) would read its state.
        registry.remove("mailservice." + name, List.of());
        Supplier<Double> source = () -> value.get().doubleValue();
        meterSources.add(source);
        registry.getOrCreate(Gauge.builder("mailservice." + name, source).description(description));
    }

    private static String name(Enum<?> outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }
}
