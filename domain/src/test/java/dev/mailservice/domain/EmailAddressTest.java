package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
