package dev.mailservice.adapters.http;

import dev.mailservice.application.port.in.GetActiveSmtpConfiguration;
import dev.mailservice.application.port.in.ReloadSmtpConfiguration;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpConfiguration.PasswordDisclosure;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import java.util.Objects;

/** The routes under {@code /api/v1/mail}. */
public final class MailHttpService implements HttpService {

    static final String FETCH_CONFIG_SCOPE = "fetch:config";
    static final String RELOADED = "SMTP configuration updated successfully";

    private final ReloadSmtpConfiguration reload;
    private final GetActiveSmtpConfiguration active;
    private final TokenVerifier scopedTokens;

    public MailHttpService(ReloadSmtpConfiguration reload, GetActiveSmtpConfiguration active, TokenVerifier scopedTokens) {
        this.reload = Objects.requireNonNull(reload, "reload");
        this.active = Objects.requireNonNull(active, "active");
        this.scopedTokens = Objects.requireNonNull(scopedTokens, "scopedTokens");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/updateSmtpConfig", scopedTokens.requireScope(FETCH_CONFIG_SCOPE), this::reload)
                .get("/smtpConfig", scopedTokens.requireScope(FETCH_CONFIG_SCOPE), this::status);
    }

    record ReloadAnswer(String message, Map<String, Object> smtp) {}

    record StatusAnswer(Map<String, Object> smtp, String appliedAt, String source, ErrorAnswer lastReloadError) {}

    record ErrorAnswer(String at, String message) {}

    private void reload(ServerRequest request, ServerResponse response) {
        SmtpConfiguration applied = reload.reload();
        Json.send(response, Status.OK_200, new ReloadAnswer(RELOADED, withoutPassword(applied)));
    }

    private void status(ServerRequest request, ServerResponse response) {
        SmtpStatus status = active.status();
        Json.send(response, Status.OK_200, new StatusAnswer(
                status.active().map(applied -> withoutPassword(applied.configuration())).orElse(null),
                status.active().map(applied -> applied.appliedAt().toString()).orElse(null),
                status.active().map(SmtpStatus.Applied::source).orElse(null),
                status.lastReloadError().map(error -> new ErrorAnswer(error.at().toString(), error.message()))
                        .orElse(null)));
    }

    private static Map<String, Object> withoutPassword(SmtpConfiguration configuration) {
        return configuration.toFields(PasswordDisclosure.OMITTED);
    }
}
