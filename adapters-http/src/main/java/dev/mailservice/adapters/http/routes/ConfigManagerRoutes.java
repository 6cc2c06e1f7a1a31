package dev.mailservice.adapters.http.routes;

import dev.mailservice.adapters.http.answers.Json;
import dev.mailservice.adapters.http.answers.RefusalWording;
import dev.mailservice.adapters.http.edge.IfMatch;
import dev.mailservice.adapters.http.edge.RequestBodies;
import dev.mailservice.adapters.http.edge.TokenVerifier;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.GetStoredSmtpConfiguration;
import dev.mailservice.application.port.in.SaveSmtpConfiguration;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.application.port.in.VerifySmtpConfiguration;
import dev.mailservice.pipeshub.SmtpConfigurationJson.PasswordShown;
import dev.mailservice.pipeshub.SmtpConfigurationJson;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.SmtpConfiguration;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration-manager routes under {@code /api/v1/configurationManager}: admins store, read
 * (password masked; with {@code HIDE_SECRET_CONFIG}, host, username and fromEmail too) and verify
 * the SMTP configuration; services read it in full. Fields the service does not know come back as
 * stored.
 */
public final class ConfigManagerRoutes implements HttpService {

    /** Where these routes live. */
    public static final String BASE_PATH = "/api/v1/configurationManager";
    static final String ADMIN_ROLE = "admin";
    static final String CREATED = "SMTP config created successfully";
    /** The verify route's own field besides the configuration's: where to send a test mail. */
    static final String SEND_TEST_TO = "sendTestTo";
    /** What {@code HIDE_SECRET_CONFIG} hides besides the password, as PipesHub does. */
    private static final List<String> HIDDEN_WITH_SECRETS =
            List.of(SmtpConfiguration.HOST, SmtpConfiguration.USERNAME, SmtpConfiguration.FROM_EMAIL);

    /** Puts the placeholder in place of what {@code HIDE_SECRET_CONFIG} hides, in a configuration's fields. */
    static void hideSecretConfig(Map<String, Object> fields) {
        HIDDEN_WITH_SECRETS.forEach(field -> fields.computeIfPresent(field, (name, value) -> SmtpConfigurationJson.PLACEHOLDER));
    }

    private final SaveSmtpConfiguration save;
    private final GetStoredSmtpConfiguration stored;
    private final VerifySmtpConfiguration verify;
    private final TokenVerifier tokens;
    private final boolean hideSecretConfig;

    /**
     * @param hideSecretConfig PipesHub's {@code HIDE_SECRET_CONFIG}: whether the admin view hides
     *                         host, username and fromEmail behind the placeholder, as it always
     *                         hides the password
     */
    public ConfigManagerRoutes(SaveSmtpConfiguration save, GetStoredSmtpConfiguration stored,
            VerifySmtpConfiguration verify, TokenVerifier tokens,
            boolean hideSecretConfig) {
        this.save = Objects.requireNonNull(save, "save");
        this.stored = Objects.requireNonNull(stored, "stored");
        this.verify = Objects.requireNonNull(verify, "verify");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.hideSecretConfig = hideSecretConfig;
    }

    @Override
    public void routing(HttpRules rules) {
        // A body that breaks a rule is PipesHub's VALIDATION_ERROR, which its web app shows by field.
        Routes.post(rules, "/smtpConfig", tokens.requireRole(ADMIN_ROLE), RefusalWording.VALIDATION_ERROR,
                this::store);
        Routes.get(rules, "/smtpConfig", tokens.requireRole(ADMIN_ROLE), this::showMasked);
        Routes.post(rules, "/smtpConfig/verify", tokens.requireRole(ADMIN_ROLE), RefusalWording.VALIDATION_ERROR,
                this::verify);
        Routes.get(rules, "/internal/smtpConfig", tokens.requireScope(MailRoutes.FETCH_CONFIG_SCOPE),
                this::showInFull);
    }

    record Created(String message) {}

    record VerifyAnswer(boolean ok, List<StepAnswer> steps, List<String> advice) {}

    record StepAnswer(String name, boolean ok, long ms, String detail) {}

    /** Stores the body; with {@code If-Match} (the admin view's {@code ETag}), only over that version. */
    private void store(ServerRequest request, ServerResponse response) {
        Map<String, Object> submitted = RequestBodies.readFields(request);
        save.save(SmtpConfigurationJson.change(submitted), IfMatch.of(request));
        Json.send(request, response, Status.OK_200, new Created(CREATED));
    }

    /** 200 whether or not the server passed: the request itself succeeded; the report tells how the server did. */
    private void verify(ServerRequest request, ServerResponse response) {
        Map<String, Object> submitted = RequestBodies.readFields(request);
        Optional<EmailAddress> sendTestTo = sendTestTo(submitted.remove(SEND_TEST_TO));
        SmtpVerification report = verify.verify(SmtpConfigurationJson.change(submitted), sendTestTo);
        Json.send(request, response, Status.OK_200, new VerifyAnswer(report.ok(), report.steps().stream()
                .map(step -> new StepAnswer(step.step().key(), step.ok(), step.took().toMillis(), step.detail()))
                .toList(), report.advice()));
    }

    private static Optional<EmailAddress> sendTestTo(Object value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new EmailAddress((String) value));
        } catch (ClassCastException | IllegalArgumentException e) {
            throw new InvalidInput(SEND_TEST_TO, "must be an e-mail address like name@example.com");
        }
    }

    private void showMasked(ServerRequest request, ServerResponse response) {
        show(request, response, PasswordShown.MASKED, hideSecretConfig);
    }

    private void showInFull(ServerRequest request, ServerResponse response) {
        show(request, response, PasswordShown.PASSWORD_REVEALED, false);
    }

    /**
     * The stored configuration ({@code {}} when none is), secrets as {@code password} says, and with
     * {@code hide} what {@code HIDE_SECRET_CONFIG} hides as the placeholder; its version as the {@code ETag}.
     */
    private void show(ServerRequest request, ServerResponse response, PasswordShown password, boolean hide) {
        GetStoredSmtpConfiguration.Read document = stored.stored();
        response.header(HeaderNames.ETAG, "\"" + document.version() + "\"");
        Json.send(request, response, Status.OK_200, document.configuration().map(storedNow -> {
            Map<String, Object> fields = SmtpConfigurationJson.write(storedNow.configuration(), password,
                    storedNow.otherFields());
            if (hide) {
                hideSecretConfig(fields);
            }
            return fields;
        }).orElse(Map.of()));
    }
}
