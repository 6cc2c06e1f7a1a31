package dev.mailservice.application.service;

import dev.mailservice.application.port.out.ServiceMetrics.TokenOutcome;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.OAuth2Login;
import java.util.ArrayList;
import java.util.List;
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
 * for an OAuth 2.0 login first asks its token endpoint for a token (the {@code token} step, a
 * request of its own, so that what is verified is the endpoint's answer now), then runs the {@link
 * SmtpProbe} with it, turns what it saw into a report with advice ({@link SmtpAdvice}), counts the
 * outcome, and notes it on the {@link SmtpStatusBoard} for that configuration.
 */
public final class SmtpVerifier {

    private final SmtpProbe probe;
    private final TokenEndpoint tokens;
    private final SmtpLogins logins;
    private final Duration limit;
    private final SmtpStatusBoard board;
    private final ServiceMetrics metrics;

    /**
     * @param logins told of a new refresh token the endpoint gives a verification, which is the login's from then on
     * @param limit  how long the SMTP steps of a verification may take, each bounded by the transport's
     *               timeout; the token step before them is bounded by the endpoint adapter's own
     */
    public SmtpVerifier(SmtpProbe probe, TokenEndpoint tokens, SmtpLogins logins, Duration limit,
            SmtpStatusBoard board, ServiceMetrics metrics) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.logins = Objects.requireNonNull(logins, "logins");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.board = Objects.requireNonNull(board, "board");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Runs the steps through AUTH, then sends {@code testMail} when given. */
    SmtpVerification verify(SmtpConfiguration configuration, Optional<MailMessage> testMail,
            VerificationTrigger trigger) {
        SmtpVerification report = configuration.oauth2()
                .map(login -> withToken(configuration, login, testMail))
                .orElseGet(() -> probed(configuration, SmtpCredentials.password(configuration), List.of(), testMail));
        Optional<SmtpStep> failedStep = report.failed().map(SmtpStep.Result::step);
        metrics.verificationFinished(trigger, failedStep);
        board.verified(configuration, failedStep.isEmpty(), failedStep.map(SmtpStep::key));
        return report;
    }

    private SmtpVerification withToken(SmtpConfiguration configuration, OAuth2Login login,
            Optional<MailMessage> testMail) {
        long started = System.nanoTime();
        TokenEndpoint.Answer answer = tokens.request(login, configuration.username().orElseThrow());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String asked = "endpoint " + tokens.endpointOf(login) + ", grant " + login.grantType()
                + login.scopeAsked().map(scope -> ", scope " + scope).orElse("");
        SmtpStep.Result step = new SmtpStep.Result(SmtpStep.TOKEN, answer instanceof TokenEndpoint.Issued, took,
                asked + ": " + answer.said());
        metrics.tokenRequested(login.kind(), switch (answer) {
            case TokenEndpoint.Issued issued -> TokenOutcome.ISSUED;
            case TokenEndpoint.Refused refused -> TokenOutcome.REFUSED;
            case TokenEndpoint.Unavailable unavailable -> TokenOutcome.UNAVAILABLE;
        });
        if (!(answer instanceof TokenEndpoint.Issued issued)) {
            return new SmtpVerification(false, List.of(step), List.of(SmtpAdvice.forToken(login, answer)));
        }
        // A new refresh token given to the verification is the login's from now on: the one it
        // replaced may be spent (providers that rotate strictly refuse it once used).
        issued.newRefreshToken().filter(refreshToken -> login instanceof OAuth2Login.RefreshToken)
                .ifPresent(refreshToken -> logins.rotated(login,
                        ((OAuth2Login.RefreshToken) login).withRefreshToken(refreshToken)));
        return probed(configuration, SmtpCredentials.accessToken(issued.accessToken()), List.of(step), testMail);
    }

    private SmtpVerification probed(SmtpConfiguration configuration, SmtpCredentials credentials,
            List<SmtpStep.Result> before, Optional<MailMessage> testMail) {
        SmtpProbe.Probe seen = probe.probe(configuration, credentials, testMail, limit);
        List<SmtpStep.Result> steps = new ArrayList<>(before);
        steps.addAll(seen.steps());
        return new SmtpVerification(SmtpStep.firstFailed(steps).isEmpty(), steps, SmtpAdvice.of(configuration, seen));
    }
}
