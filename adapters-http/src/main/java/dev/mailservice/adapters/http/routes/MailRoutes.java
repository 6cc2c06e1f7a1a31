package dev.mailservice.adapters.http.routes;

import dev.mailservice.adapters.http.answers.Json;
import dev.mailservice.adapters.http.edge.RequestBodies;
import dev.mailservice.adapters.http.edge.TokenVerifier;
import dev.mailservice.application.port.in.GetRecentSends;
import dev.mailservice.application.port.in.GetSmtpStatus;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SendMail;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.pipeshub.SmtpConfigurationJson.PasswordShown;
import dev.mailservice.pipeshub.SmtpConfigurationJson;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The routes under {@code /api/v1/mail}. */
public final class MailRoutes implements HttpService {

    /** Where these routes live. */
    public static final String BASE_PATH = "/api/v1/mail";
    /** The send route, relative to {@link #BASE_PATH}; its bodies may carry attachments. */
    public static final String SEND_EMAIL = "/emails/sendEmail";
    /** Bodies of the send route may be this large (attachments); other routes keep the default. */
    public static final long SEND_EMAIL_MAX_BODY_BYTES = 10 * 1024 * 1024;

    static final String FETCH_CONFIG_SCOPE = "fetch:config";
    static final String ADMIN_ROLE = ConfigManagerRoutes.ADMIN_ROLE;
    static final String MAIL_SEND_SCOPE = "mail:send";
    static final String RELOADED = "SMTP configuration updated successfully";

    private final ReloadSmtpConfiguration reload;
    private final GetSmtpStatus smtpStatus;
    private final SendMail sendEmail;
    private final GetRecentSends recentSends;
    private final TokenVerifier tokens;
    private final boolean hideSecretConfig;

    /**
     * @param tokens           checks the services' scoped tokens and the users' tokens: an admin may
     *                         read the status and the recent sends
     * @param hideSecretConfig PipesHub's {@code HIDE_SECRET_CONFIG}: whether the status an admin reads
     *                         hides what the admin view hides
     */
    public MailRoutes(ReloadSmtpConfiguration reload, GetSmtpStatus smtpStatus, SendMail sendEmail,
            GetRecentSends recentSends, TokenVerifier tokens, boolean hideSecretConfig) {
        this.reload = Objects.requireNonNull(reload, "reload");
        this.smtpStatus = Objects.requireNonNull(smtpStatus, "smtpStatus");
        this.sendEmail = Objects.requireNonNull(sendEmail, "sendEmail");
        this.recentSends = Objects.requireNonNull(recentSends, "recentSends");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.hideSecretConfig = hideSecretConfig;
    }

    @Override
    public void routing(HttpRules rules) {
        Routes.post(rules, "/updateSmtpConfig", tokens.requireScope(FETCH_CONFIG_SCOPE), this::reload);
        Routes.get(rules, "/smtpConfig", tokens.requireScopeOrRole(FETCH_CONFIG_SCOPE, ADMIN_ROLE),
                this::status);
        Routes.get(rules, "/sends", tokens.requireRole(ADMIN_ROLE), this::sends);
        Routes.post(rules, SEND_EMAIL, tokens.requireScope(MAIL_SEND_SCOPE), SendMailBody.REFUSALS, this::send);
    }

    record ReloadAnswer(String message, Map<String, Object> smtp) {}

    record SendAnswer(Sent data) {
        record Sent(boolean status, String data) {}
    }

    record StatusAnswer(Map<String, Object> smtp, String appliedAt, String source, ErrorAnswer lastReloadError,
            List<String> warnings, VerifiedAnswer lastVerified, TokenAnswer oauth2Token) {}

    record TokenAnswer(String kind, String endpoint, String expiresAt, String lastRefresh, ErrorAnswer lastError) {}

    record ErrorAnswer(String at, String message) {}

    record SendsAnswer(List<SendAnswerRow> sends) {}

    record SendAnswerRow(String at, String template, String subject, List<String> to, List<String> cc, String outcome,
            String said, String messageId, long ms, String requestId) {}

    record VerifiedAnswer(String at, boolean ok, String failedStep) {}

    /** With nothing stored, {@code "smtp": null}: PipesHub calls this on a fresh install, before any SMTP is set up. */
    private void reload(ServerRequest request, ServerResponse response) {
        Map<String, Object> stored = reload.reload().map(MailRoutes::withoutPassword).orElse(null);
        Json.send(request, response, Status.OK_200, new ReloadAnswer(RELOADED, stored));
    }

    private void send(ServerRequest request, ServerResponse response) {
        sendEmail.send(SendMailBody.read(RequestBodies.readObject(request)));
        Json.send(request, response, Status.OK_200, new SendAnswer(new SendAnswer.Sent(true, "Email sent")));
    }

    /** The status; for an admin's browser under {@code HIDE_SECRET_CONFIG}, with what the admin view hides hidden. */
    private void status(ServerRequest request, ServerResponse response) {
        SmtpStatus status = smtpStatus.status();
        boolean hide = hideSecretConfig && TokenVerifier.byUser(request);
        Json.send(request, response, Status.OK_200, new StatusAnswer(
                status.active().map(applied -> {
                    Map<String, Object> fields = withoutPassword(applied.configuration());
                    if (hide) {
                        ConfigManagerRoutes.hideSecretConfig(fields);
                    }
                    return fields;
                }).orElse(null),
                status.active().map(applied -> applied.appliedAt().toString()).orElse(null),
                status.active().map(SmtpStatus.Applied::source).orElse(null),
                status.lastReloadError().map(error -> new ErrorAnswer(error.at().toString(), error.message()))
                        .orElse(null),
                status.warnings(),
                status.lastVerified().map(verified -> new VerifiedAnswer(verified.at().toString(), verified.ok(),
                        verified.failedStep().orElse(null))).orElse(null),
                status.oauth2Token().map(token -> new TokenAnswer(token.kind(), token.endpoint(),
                        token.expiresAt().map(Instant::toString).orElse(null),
                        token.lastRefresh().map(Instant::toString).orElse(null),
                        token.lastError().map(error -> new ErrorAnswer(error.at().toString(), error.message()))
                                .orElse(null))).orElse(null)));
    }

    /** This replica's recent sends, newest first. */
    private void sends(ServerRequest request, ServerResponse response) {
        Json.send(request, response, Status.OK_200, new SendsAnswer(recentSends.recentSends().stream()
                .map(send -> new SendAnswerRow(send.at().toString(), send.template(), send.subject().orElse(null),
                        send.to(), send.cc(), send.outcome(), send.said(), send.messageId().orElse(null),
                        send.took().toMillis(), send.requestId().orElse(null)))
                .toList()));
    }

    private static Map<String, Object> withoutPassword(SmtpConfiguration configuration) {
        return SmtpConfigurationJson.write(configuration, PasswordShown.OMITTED, OpaqueFields.NONE);
    }
}
