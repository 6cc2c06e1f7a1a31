package dev.mailservice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing program fails the run in CI and skips the test elsewhere; a present one is found. */
class ExternalToolsTest {

    private static final String MISSING = "no-such-program-anywhere";

    @Test
    void inCiAMissingProgramFailsTheTest() {
        AssertionFailedError failure = assertThrows(AssertionFailedError.class,
                () -> ExternalTools.require(MISSING, Map.of("CI", "true", "PATH", "/nonexistent")));

        assertTrue(failure.getMessage().contains("CI=true: a missing " + MISSING + " fails the run"), failure.getMessage());
    }

    @Test
    void elsewhereAMissingProgramSkipsTheTest() {
        assertThrows(TestAbortedException.class, () -> ExternalTools.require(MISSING, Map.of("PATH", "/nonexistent")));
    }

    @Test
    void aProgramOnThePathIsFound() {
        assertEquals("sh", ExternalTools.require("sh", Map.of("CI", "true", "PATH", "/bin")).getFileName().toString());
    }
}
