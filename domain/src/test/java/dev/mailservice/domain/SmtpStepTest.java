package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmtpStepTest {

    private static SmtpStep.Result passed(SmtpStep step) {
        return new SmtpStep.Result(step, true, Duration.ofMillis(3), "ok");
    }

    private static SmtpStep.Result failed(SmtpStep step, String detail) {
        return new SmtpStep.Result(step, false, Duration.ofMillis(3), detail);
    }

    @Test
    void aStepIsNamedInLowerCase() {
        assertEquals("dns", SmtpStep.DNS.key());
        assertEquals("greeting", SmtpStep.GREETING.key());
    }

    @Test
    void theFirstFailedStepIsTheOneThatEndedTheRun() {
        SmtpStep.Result auth = failed(SmtpStep.AUTH, "535 authentication failed");

        assertEquals(Optional.of(auth), SmtpStep.firstFailed(List.of(passed(SmtpStep.DNS), passed(SmtpStep.CONNECT),
                auth, failed(SmtpStep.SEND, "not logged in"))));
    }

    @Test
    void aRunWhoseStepsAllPassedHasNoFailedStep() {
        assertEquals(Optional.empty(), SmtpStep.firstFailed(List.of(passed(SmtpStep.DNS), passed(SmtpStep.SEND))));
        assertEquals(Optional.empty(), SmtpStep.firstFailed(List.of()));
    }
}
