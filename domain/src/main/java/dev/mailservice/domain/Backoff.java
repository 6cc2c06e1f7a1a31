package dev.mailservice.domain;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Delays between attempts: doubling from {@code first}, never above {@code max}. Reconnecting to a
 * backend and sending a mail again both wait this way.
 *
 * @param first the delay after the first failed attempt
 * @param max   the longest delay
 */
public record Backoff(Duration first, Duration max) {

    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, got " + first + " and " + max);
        }
    }

    /** The delay after {@code failedAttempts} failed attempts in a row (0 for the first failure). */
    public Duration delay(int failedAttempts) {
        Duration delay = first;
        for (int i = 0; i < failedAttempts && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /**
     * {@link #delay} taken down by a random share of up to half, so that clients that failed together
     * do not all come back at the same moment.
     */
    public Duration jittered(int failedAttempts, RandomGenerator random) {
        long nanos = delay(failedAttempts).toNanos();
        return Duration.ofNanos(nanos - random.nextLong(nanos / 2 + 1));
    }
}
