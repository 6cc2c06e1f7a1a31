package dev.mailservice.adapters.mail;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.Password;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Access tokens as the core hands them to a transport: the first of a list, then, each time the
 * server refuses the one in use, the next (none once the list is used up); or a failure to get any.
 * Counts what the transport asked of it.
 */
final class TestTokens implements SmtpCredentials {

    private final List<String> tokens;
    private final AtomicInteger current = new AtomicInteger();
    private final AtomicInteger secretsAsked = new AtomicInteger();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private volatile DeliveryFailed failure;
    /** How much of the time it is given each secret leaves when it comes, as from a slow token endpoint; null: all. */
    private volatile Duration leaving;
    /** How long the transport would wait for each secret it asked for, in order. */
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    private TestTokens(List<String> tokens) {
        this.tokens = tokens;
    }

    /** The first of {@code tokens} now, each next one after a refusal. */
    static TestTokens of(String... tokens) {
        return new TestTokens(List.of(tokens));
    }

    /** No token at all: every {@link #secret} throws {@code failure}. */
    static TestTokens failing(DeliveryFailed failure) {
        TestTokens none = new TestTokens(List.of());
        none.failure = failure;
        return none;
    }

    /**
     * As {@link #of}, each token coming only when all but {@code leaving} of the time it is given has
     * passed, as from a slow token endpoint.
     */
    static TestTokens late(Duration leaving, String... tokens) {
        TestTokens late = of(tokens);
        late.leaving = leaving;
        return late;
    }

    @Override
    public boolean accessToken() {
        return true;
    }

    @Override
    public Password secret(Duration within) {
        secretsAsked.incrementAndGet();
        waits.add(within);
        if (failure != null) {
            throw failure;
        }
        if (leaving != null) {
            sleep(within.minus(leaving));
        }
        return Password.of(tokens.get(current.get()));
    }

    @Override
    public Optional<Password> afterRefusal(Password token, Duration within) {
        refused.add(token.reveal());
        waits.add(within);
        int next = current.incrementAndGet();
        return next < tokens.size() ? Optional.of(Password.of(tokens.get(next))) : Optional.empty();
    }

    /** How many times a secret was asked for. */
    int secretsAsked() {
        return secretsAsked.get();
    }

    /** How long the transport would wait for each secret it asked for, a refused one's replacement included. */
    List<Duration> waits() {
        return List.copyOf(waits);
    }

    /** The tokens the transport said were refused, in order. */
    List<String> refused() {
        return List.copyOf(refused);
    }

    private static void sleep(Duration duration) {
        if (duration.isPositive()) {
            try {
                Thread.sleep(duration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
