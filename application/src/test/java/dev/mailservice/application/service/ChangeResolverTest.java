package dev.mailservice.application.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which changes need the stored configuration, and what each kept field takes from it. */
class ChangeResolverTest {

    private static final SmtpConfiguration STORED =
            SmtpConfiguration.of("stored.example.com", 587, "stored-user", "stored-pa55", "stored@example.com", false);

    /** Everything given anew, except {@code kept}, which is to be kept as stored. */
    private static SmtpConfigurationChange keeping(String kept) {
        return new SmtpConfigurationChange(
                kept.equals("host") ? Field.KEEP : Field.of(Optional.of("stored.example.com")), 587, false,
                kept.equals("username") ? Field.KEEP : Field.of(Optional.of("stored-user")),
                kept.equals("password") ? Field.KEEP : Field.of(Optional.of("new-pa55")),
                kept.equals("fromEmail") ? Field.KEEP : Field.of(Optional.of("new@example.com")), OpaqueFields.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "username", "password", "fromEmail"})
    void aChangeKeepingAnyOneFieldNeedsTheStoredConfigurationAndTakesThatFieldFromIt(String kept) {
        SmtpConfigurationChange change = keeping(kept);

        assertTrue(ChangeResolver.keepsAny(change));
        SmtpConfiguration resolved = ChangeResolver.resolve(change, Optional.of(STORED));
        assertEquals(kept.equals("password") ? "stored-pa55" : "new-pa55", resolved.password().orElseThrow().reveal());
        assertEquals(kept.equals("fromEmail") ? "stored@example.com" : "new@example.com", resolved.fromEmail().value());
        assertEquals("stored.example.com", resolved.host());
        assertEquals(Optional.of("stored-user"), resolved.username());
    }

    @Test
    void aChangeGivingEveryFieldNeedsNothingStored() {
        assertFalse(ChangeResolver.keepsAny(keeping("nothing")));
    }
}
