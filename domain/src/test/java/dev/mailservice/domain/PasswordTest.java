package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PasswordTest {

    @Test
    void neverPrintsItsValue() {
        Password password = Password.of("hunter2-hunter2");

        assertFalse(password.toString().contains("hunter2"));
        assertFalse(String.valueOf(password).contains("hunter2"));
        assertEquals("Password[hidden]", password.toString());
    }

    @Test
    void revealsItsValueOnRequest() {
        assertEquals("hunter2-hunter2", Password.of("hunter2-hunter2").reveal());
    }

    @Test
    void comparesByValue() {
        assertEquals(Password.of("a"), Password.of("a"));
        assertNotEquals(Password.of("a"), Password.of("b"));
        assertNotEquals(Password.of("a"), Password.of("ab"));
        assertNotEquals(Password.of("a"), (Object) "a");
    }

    @Test
    void hashesByLengthAloneSoTheHashTellsNothingOfTheCharacters() {
        assertEquals(Password.of("hunter2").hashCode(), Password.of("hunter2").hashCode());
        assertEquals(Password.of("hunter2").hashCode(), Password.of("abcdefg").hashCode());
    }

    @Test
    void refusesAnEmptyPassword() {
        assertThrows(IllegalArgumentException.class, () -> Password.of(""));
        assertThrows(IllegalArgumentException.class, () -> Password.of(null));
    }
}
