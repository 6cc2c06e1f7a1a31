package dev.mailservice.application.port.in;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.SmtpStep;
import java.util.List;
import java.util.Optional;

/**
 * Use case: tell whether a candidate SMTP configuration can reach its server, log in and send,
 * step by step ({@link SmtpStep}: DNS, TCP connect, greeting, EHLO, TLS, AUTH, and a test mail
 * when asked), timing each and saying in plain words what to try when one fails. Nothing is
 * stored or applied. The candidate is given as a save gives it: a value to keep is read from
 * the backend, and the stored password is kept only for the server and user it was stored for.
 */
public interface VerifySmtpConfiguration {

    /**
     * @param sendTestTo where to send a short test mail after AUTH; empty for none
     * @return the report, whether or not the server passed
     * @throws InvalidInput       if the candidate breaks a rule or keeps a value it may not
     * @throws BackendUnavailable if a value to keep cannot be read
     * @throws Overloaded         if as many verifications as this replica runs at once are under way
     */
    SmtpVerification verify(SmtpConfigurationChange candidate, Optional<EmailAddress> sendTestTo);

    /**
     * A verification's report.
     *
     * @param ok     whether every step passed
     * @param steps  the steps run, in order; the first that fails is the last
     * @param advice what to try, in plain words; may be given although every step passed
     */
    record SmtpVerification(boolean ok, List<SmtpStep.Result> steps, List<String> advice) {

        public SmtpVerification {
            steps = List.copyOf(steps);
            advice = List.copyOf(advice);
        }

        /** The step that failed, if one did. */
        public Optional<SmtpStep.Result> failed() {
            return SmtpStep.firstFailed(steps);
        }

        /** One line naming the failed step and what was seen, for refusals and the last reload error. */
        public String failure() {
            return failed().map(step -> "SMTP verification failed at step " + step.step().key() + ": " + step.detail())
                    .orElse("SMTP verification passed");
        }
    }
}
