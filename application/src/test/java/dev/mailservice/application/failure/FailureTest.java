package dev.mailservice.application.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mailservice.domain.InvalidInputException;
import dev.mailservice.domain.SmtpConfiguration;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the failures carry for the adapters that answer them. */
class FailureTest {

    @Test
    void aRefusalOfTheDomainBecomesInvalidInputWithItsFieldAndProblem() {
        InvalidInput refusal = InvalidInput.of(assertThrows(InvalidInputException.class,
                () -> SmtpConfiguration.of("smtp.example.com", 0, null, null, "a@b.c", false)));

        assertEquals(Optional.of("port"), refusal.field());
        assertEquals("port must be between 1 and 65535", refusal.getMessage());
        assertEquals("The port must be between 1 and 65535", refusal.message(field -> "The " + field));
    }

    @Test
    void aRefusalSaidOfAWholeKeepsItsFieldAndNamesTheWholeFirst() {
        InvalidInput refusal = new InvalidInput("host", "is required").of("The SMTP configuration in file x is invalid");

        assertEquals(Optional.of("host"), refusal.field());
        assertEquals("The SMTP configuration in file x is invalid: host is required", refusal.getMessage());
        assertEquals("The SMTP configuration in file x is invalid: server is required",
                refusal.message(field -> "server"));
    }

    @Test
    void aRefusalOfTheWholeInputNamesNoField() {
        InvalidInput refusal = new InvalidInput(null, "The body is empty");

        assertEquals(Optional.empty(), refusal.field());
        assertEquals("The body is empty", refusal.message(field -> "renamed"));
    }

    @Test
    void aDeliveryFailureSaysWhereTheMailIsHowOftenItWasTriedAndWhenToTryAgain() {
        DeliveryFailed temporary = DeliveryFailed.temporary("421 try later", 3, Duration.ofSeconds(30), null);
        DeliveryFailed refused = DeliveryFailed.refused("550 no such user", 1, null);
        IllegalStateException cause = new IllegalStateException("reset");
        DeliveryFailed uncertain = DeliveryFailed.uncertain("no answer after the dot", 2, cause);

        assertEquals(DeliveryFailed.Ending.TEMPORARY, temporary.ending());
        assertEquals(3, temporary.attempts());
        assertEquals(Optional.of(Duration.ofSeconds(30)), temporary.retryAfter());
        assertEquals(DeliveryFailed.Ending.REFUSED, refused.ending());
        assertEquals(Optional.empty(), refused.retryAfter());
        assertEquals(2, uncertain.attempts());
        assertSame(cause, uncertain.getCause());
    }
}
