package dev.mailservice.adapters.mail;

import dev.mailservice.application.port.out.SmtpProbe.Problem;
import dev.mailservice.domain.SmtpStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a probe recorded of its steps: how each went, in order, and the problem of the one that
 * failed and ended the run. A step that failed once the run's deadline had closed its connection
 * failed for the deadline, whatever the failure looked like.
 */
final class ProbeSteps {

    /** Ends the run at a step that failed; the failure is in the results already. */
    static final class StepFailed extends Exception {

        private static final long serialVersionUID = 1L;

        StepFailed(String detail) {
            super(detail, null, false, false);
        }
    }

    private final Duration limit;
    private final List<SmtpStep.Result> results = new ArrayList<>();
    private Problem problem;
    /** Whether the deadline closed the socket, so that whatever failed after failed for it. */
    private volatile boolean cut;
    /** Where the implicit TLS step is in the results, to add the certificate once the server spoke SMTP. */
    private int implicitTlsResult = -1;

    /** @param limit the whole run's limit, for the words of a step it ended */
    ProbeSteps(Duration limit) {
        this.limit = limit;
    }

    /** The deadline closed the run's connection: whatever fails from now on failed for it. */
    void cut() {
        cut = true;
    }

    /** Records {@code step} as passed from {@code started} until now, and returns now. */
    long passed(SmtpStep step, long started, String detail) {
        long now = System.nanoTime();
        passed(step, started, now, detail);
        return now;
    }

    /** Records {@code step} as passed between {@code started} and {@code ended} ({@link System#nanoTime()}'s terms). */
    void passed(SmtpStep step, long started, long ended, String detail) {
        results.add(new SmtpStep.Result(step, true, Duration.ofNanos(Math.max(0, ended - started)), detail));
    }

    /** Records implicit TLS as passed, its certificate to be added once the server proved to speak SMTP. */
    long passedImplicitTls(long started) {
        implicitTlsResult = results.size();
        return passed(SmtpStep.TLS, started, "implicit TLS");
    }

    /** Adds {@code certificate} to the implicit TLS step, if there was one: the server proved to speak SMTP. */
    void showOnImplicitTls(Optional<String> certificate) {
        if (implicitTlsResult < 0) {
            return;
        }
        SmtpStep.Result tls = results.get(implicitTlsResult);
        certificate.ifPresent(shown -> results.set(implicitTlsResult,
                new SmtpStep.Result(tls.step(), tls.ok(), tls.took(), tls.detail() + "; " + shown)));
    }

    /** Records {@code step} as failed; a failure that came of the deadline closing the socket failed for it. */
    StepFailed fail(SmtpStep step, long started, Problem why, String detail) {
        boolean deadline = why == Problem.DEADLINE_PASSED || cut;
        problem = deadline ? Problem.DEADLINE_PASSED : why;
        String said = deadline ? "the whole verification took longer than its limit of " + limit.toMillis() + " ms"
                : detail;
        results.add(new SmtpStep.Result(step, false, Duration.ofNanos(Math.max(0, System.nanoTime() - started)),
                said));
        return new StepFailed(said);
    }

    /** The steps run, in order; only the last may have failed. */
    List<SmtpStep.Result> results() {
        return results;
    }

    /** Why the last step failed, when it did. */
    Optional<Problem> problem() {
        return Optional.ofNullable(problem);
    }
}
