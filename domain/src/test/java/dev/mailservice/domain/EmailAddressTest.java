package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"a@b", "noreply@example.com", "first.last+tag@mail.example.co.uk", "o'brien@example.org"})
    void acceptsAddresses(String value) {
        assertEquals(value, new EmailAddress(value).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "plain", "a@", "@b", "a b@c.d", ".a@b.c", "a.@b.c", "a@b.c,d@e.f", "a@b_c.d"})
    void refusesWhatIsNotAnAddress(String value) {
        assertThrows(IllegalArgumentException.class, () -> new EmailAddress(value));
    }

    @Test
    void mayHaveUpTo254Characters() {
        String longest = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);

        assertEquals(254, longest.length());
        assertEquals(longest, new EmailAddress(longest).value());
        assertThrows(IllegalArgumentException.class, () -> new EmailAddress(longest + "d"));
    }

    @Test
    void printsAsTheAddress() {
        assertEquals("noreply@example.com", new EmailAddress("noreply@example.com").toString());
    }
}
