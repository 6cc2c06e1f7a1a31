package dev.mailservice.application.service;

import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.ServiceMetrics.VerificationTrigger;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies a configuration against its server, for the verify route, a save and a reload alike:
 * runs the {@link SmtpProbe}, turns what it saw into a report with advice ({@link SmtpAdvice}),
 * counts the outcome, and notes it on the {@link SmtpStatusBoard} for that configuration.
 */
public final class SmtpVerifier {

    private final SmtpProbe probe;
    private final Duration limit;
    private final SmtpStatusBoard board;
    private final ServiceMetrics metrics;

    /** @param limit how long a whole verification may take; each step is bounded by the transport's timeout */
    public SmtpVerifier(SmtpProbe probe, Duration limit, SmtpStatusBoard board, ServiceMetrics metrics) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.board = Objects.requireNonNull(board, "board");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Runs the steps through AUTH, then sends {@code testMail} when given. */
    SmtpVerification verify(SmtpConfiguration configuration, Optional<MailMessage> testMail,
            VerificationTrigger trigger) {
        SmtpProbe.Probe seen = probe.probe(configuration, testMail, limit);
        Optional<SmtpStep> failedStep = SmtpStep.firstFailed(seen.steps()).map(SmtpStep.Result::step);
        metrics.verificationFinished(trigger, failedStep);
        board.verified(configuration, failedStep.isEmpty(), failedStep.map(SmtpStep::key));
        return new SmtpVerification(failedStep.isEmpty(), seen.steps(), SmtpAdvice.of(configuration, seen));
    }
}
