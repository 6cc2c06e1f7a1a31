package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2));

        assertEquals(Duration.ofMillis(250), backoff.delay(0));
        assertEquals(Duration.ofMillis(500), backoff.delay(1));
        assertEquals(Duration.ofSeconds(1), backoff.delay(2));
        assertEquals(Duration.ofSeconds(2), backoff.delay(3));
        assertEquals(Duration.ofSeconds(2), backoff.delay(4));
        assertEquals(Duration.ofSeconds(2), backoff.delay(Integer.MAX_VALUE));
    }

    @Test
    void neverExceedsAMaximumThatIsNotAPowerOfTwoOfTheFirst() {
        assertEquals(Duration.ofMillis(300), new Backoff(Duration.ofMillis(200), Duration.ofMillis(300)).delay(1));
    }

    @Test
    void aFirstDelayEqualToTheMaximumIsAFixedDelay() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1));

        assertEquals(Duration.ofSeconds(1), backoff.delay(0));
        assertEquals(Duration.ofSeconds(1), backoff.delay(5));
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    @Test
    void aJitteredDelayLiesBetweenHalfTheDelayAndTheWholeOfItAndVaries() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        Random random = new Random(7);
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration delay = backoff.jittered(2, random);
            assertTrue(delay.compareTo(Duration.ofMillis(200)) >= 0 && delay.compareTo(Duration.ofMillis(400)) <= 0,
                    delay::toString);
            seen.add(delay);
        }
        assertTrue(seen.size() > 100, "the delays vary: " + seen.size() + " different ones");
    }

    @Test
    void jitterTakesOffHalfTheDelayAtMostAndNothingAtLeast() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

        assertEquals(Duration.ofMillis(100), backoff.jittered(1, drawing(bound -> bound - 1)));
        assertEquals(Duration.ofMillis(200), backoff.jittered(1, drawing(bound -> 0)));
        assertEquals(Duration.ofNanos(1), new Backoff(Duration.ofNanos(1), Duration.ofNanos(1))
                .jittered(0, drawing(bound -> bound - 1)));
    }

    /** A generator whose {@code nextLong(bound)} answers {@code draw} of the bound. */
    private static RandomGenerator drawing(LongUnaryOperator draw) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long nextLong(long bound) {
                assertTrue(bound > 0, "bound " + bound);
                return draw.applyAsLong(bound);
            }
        };
    }
}
