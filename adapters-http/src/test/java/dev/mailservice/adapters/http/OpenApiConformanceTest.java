package dev.mailservice.adapters.http;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.http.routes.MailRoutes;
import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.GetRecentSends;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.testkit.Tokens;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.testing.junit5.ServerTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every answer the OpenAPI document names, provoked for real and checked against the document's
 * schema for it; and none left out: after the tests, every documented answer has been seen.
 */
@ServerTest
class OpenApiConformanceTest extends HttpAdapterTest {

    private static final OpenApiDocument DOCUMENT = OpenApiDocument.read();
    private static final Set<String> SEEN = new TreeSet<>();

    private static final String RELOAD = "/api/v1/mail/updateSmtpConfig";
    private static final String STATUS = "/api/v1/mail/smtpConfig";
    private static final String SEND = "/api/v1/mail/emails/sendEmail";
    private static final String STORED = "/api/v1/configurationManager/smtpConfig";
    private static final String INTERNAL = "/api/v1/configurationManager/internal/smtpConfig";
    private static final String VERIFY = "/api/v1/configurationManager/smtpConfig/verify";
    private static final String MAIL = """
            {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"],
             "templateData": {"name": "A", "otp": "123456"}}""";
    private static final String CONFIGURATION_BODY = """
            {"host": "smtp.example.com", "port": 587, "username": "ops", "password": "Pa55word", "fromEmail": "a@b.example"}""";

    private final String fetchConfig = Tokens.scoped(SCOPED_SECRET, "fetch:config");
    private final String mailSend = Tokens.scoped(SCOPED_SECRET, "mail:send");
    private final String admin = Tokens.user(USER_SECRET, "admin");

    OpenApiConformanceTest(WebServer server, Http1Client client) {
        super(server, client);
    }

    /** The code an error of each status carries (400 has two: the configuration manager's VALIDATION_ERROR too). */
    private static final Map<Integer, Set<String>> CODES = Map.of(400, Set.of("HTTP_BAD_REQUEST", "VALIDATION_ERROR"),
            401, Set.of("HTTP_UNAUTHORIZED"), 403, Set.of("HTTP_FORBIDDEN"), 409, Set.of("HTTP_CONFLICT"),
            413, Set.of("HTTP_PAYLOAD_TOO_LARGE"), 415, Set.of("HTTP_UNSUPPORTED_MEDIA_TYPE"),
            502, Set.of("SMTP_REFUSED"), 503, Set.of("HTTP_SERVICE_UNAVAILABLE", "SMTP_TEMPORARY_FAILURE"),
            504, Set.of("SMTP_OUTCOME_UNKNOWN"));
    private static final Pattern CODE = Pattern.compile("^\\{\"error\":\\{\"code\":\"([A-Z_]+)\"");

    /** Checks {@code answer} against the document as the answer of {@code method path}, and notes it seen. */
    private static void conforms(String method, String path, int expectedStatus, Answer answer) {
        assertEquals(expectedStatus, answer.statusCode(), answer.body());
        if (expectedStatus >= 400) {
            Matcher code = CODE.matcher(answer.body());
            assertTrue(code.find() && CODES.get(expectedStatus).contains(code.group(1)),
                    "the error's code does not go with its status " + expectedStatus + ": " + answer.body());
        }
        String operation = method + " " + path;
        assertEquals(List.of(), DOCUMENT.problems(operation, answer.statusCode(), answer.body()),
                operation + " answered " + answer.statusCode() + " " + answer.body());
        synchronized (SEEN) {
            SEEN.add(operation + " " + answer.statusCode());
        }
    }

    /**
     * Asks {@code path} with GET, checked as {@link #conforms} does, then with HEAD, which must answer the
     * same status and headers without a body; notes both seen.
     */
    private void conformsWithHead(String path, int expectedStatus, String token) {
        Answer get = call("GET", path, token, NO_BODY);
        conforms("GET", path, expectedStatus, get);
        Answer head = call("HEAD", path, token, NO_BODY);
        assertEquals(expectedStatus, head.statusCode(), "HEAD " + path);
        assertEquals("", head.body(), "HEAD " + path + " answered a body");
        for (String header : List.of("Content-Type", "ETag")) {
            assertEquals(get.headers().firstValue(header), head.headers().firstValue(header), header + " of HEAD " + path);
        }
        synchronized (SEEN) {
            SEEN.add("HEAD " + path + " " + expectedStatus);
        }
    }

    @AfterAll
    static void everyDocumentedAnswerWasSeen() {
        assertEquals(DOCUMENT.answers(), SEEN, "answers the document names that no test provoked, or the reverse");
    }

    @Test
    void reload() {
        conforms("POST", RELOAD, 200, call("POST", RELOAD, fetchConfig, NO_BODY));
        useCases.reloadAnswer = Optional::empty;
        conforms("POST", RELOAD, 200, call("POST", RELOAD, fetchConfig, NO_BODY));
        useCases.reloadAnswer = () -> {
            throw new InvalidInput("port", "must be between 1 and 65535");
        };
        conforms("POST", RELOAD, 400, call("POST", RELOAD, fetchConfig, NO_BODY));
        useCases.reloadAnswer = () -> {
            throw new BackendUnavailable("etcd at http://etcd:2379 did not answer within 2000 ms", null);
        };
        conforms("POST", RELOAD, 503, call("POST", RELOAD, fetchConfig, NO_BODY));
        useCases.reloadAnswer = () -> {
            throw new WriteConflict("The stored SMTP configuration changed each time it was verified (3 times)");
        };
        conforms("POST", RELOAD, 409, call("POST", RELOAD, fetchConfig, NO_BODY));
        conforms("POST", RELOAD, 401, call("POST", RELOAD, null, NO_BODY));
        conforms("POST", RELOAD, 415, callDeclaring("text/plain", "POST", RELOAD, fetchConfig, "reload"));
    }

    @Test
    void status() {
        conformsWithHead(STATUS, 200, fetchConfig);
        useCases.status = new SmtpStatus(Optional.of(new SmtpStatus.Applied(CONFIGURATION, Instant.now(), "redis", 0)),
                Optional.of(new SmtpStatus.ReloadError(Instant.now(), "Redis at redis://redis:6379/0 did not answer")),
                List.of("a password without a username is not used"),
                Optional.of(new SmtpStatus.Verified(Instant.now(), false, Optional.of("tls"))), Optional.empty());
        conformsWithHead(STATUS, 200, fetchConfig);
        useCases.status = new SmtpStatus(Optional.of(new SmtpStatus.Applied(CONFIGURATION.withOAuth2(Optional.of(
                new OAuth2Login.RefreshToken(URI.create("https://idp.example.com/token"), "app", Optional.empty(),
                        Password.of("refresh"), Optional.of("offline_access")))), Instant.now(), "file", 0)),
                Optional.empty(), List.of(), Optional.empty(), Optional.of(new SmtpStatus.OAuth2Token("refreshToken",
                        "https://idp.example.com/token", Optional.empty(), Optional.empty(), Optional.of(
                                new SmtpStatus.TokenError(Instant.now(), "refused: invalid_grant", true)))));
        conformsWithHead(STATUS, 200, fetchConfig);
        conformsWithHead(STATUS, 401, Tokens.scoped(SCOPED_SECRET, "mail:send"));
        conformsWithHead(STATUS, 200, admin);
        conformsWithHead(STATUS, 403, Tokens.user(USER_SECRET, "member"));
    }

    @Test
    void recentSends() {
        String sends = "/api/v1/mail/sends";
        conformsWithHead(sends, 200, admin);
        useCases.recentSends = List.of(new GetRecentSends.RecentSend(Instant.now(), "loginWithOTP", Optional.empty(),
                List.of("to@example.com"), List.of("cc@example.com"), "temporary failure", "the server did not answer",
                Optional.empty(), Duration.ofMillis(3), Optional.empty()), new GetRecentSends.RecentSend(Instant.now(),
                "resetPassword", Optional.of("Reset"), List.of("to@example.com"), List.of(), "sent",
                "1 attempt; the server said: 250 Ok", Optional.of("<1@example.com>"), Duration.ofMillis(9),
                Optional.of("req-1")));
        conformsWithHead(sends, 200, admin);
        conformsWithHead(sends, 401, fetchConfig);
        conformsWithHead(sends, 403, Tokens.user(USER_SECRET, "member"));
    }

    @Test
    void sendEmail() {
        conforms("POST", SEND, 200, call("POST", SEND, mailSend, MAIL));
        conforms("POST", SEND, 400, call("POST", SEND, mailSend, MAIL.replace("loginWithOTP", "unknownTemplate")));
        conforms("POST", SEND, 401, call("POST", SEND, fetchConfig, MAIL));
        conforms("POST", SEND, 415, callDeclaring("text/plain", "POST", SEND, mailSend, MAIL));
        conforms("POST", SEND, 413, callStreaming("POST", SEND, mailSend, out -> {
            try {
                out.write("{\"subject\": \"".getBytes(StandardCharsets.US_ASCII));
                out.write("x".repeat((int) MailRoutes.SEND_EMAIL_MAX_BODY_BYTES).getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        useCases.sendAnswer = request -> {
            throw DeliveryFailed.refused("The SMTP server smtp.example.com:587 refused the recipient a@example.com (550 "
                    + "mailbox unavailable) (1 attempt); nothing was delivered", 1, null);
        };
        conforms("POST", SEND, 502, call("POST", SEND, mailSend, MAIL));
        useCases.sendAnswer = request -> {
            throw DeliveryFailed.uncertain("The SMTP server smtp.example.com:587 took the whole mail but gave no answer to "
                    + "its end (Connection reset): it may have been delivered (1 attempt); it was not sent again", 1, null);
        };
        conforms("POST", SEND, 504, call("POST", SEND, mailSend, MAIL));
        useCases.sendAnswer = request -> {
            throw DeliveryFailed.temporary("The SMTP server smtp.example.com:587 did not accept the mail: 451 4.3.0 "
                    + "Temporary lookup failure (3 attempts); nothing was delivered", 3, Duration.ofSeconds(30), null);
        };
        Answer temporary = call("POST", SEND, mailSend, MAIL);
        conforms("POST", SEND, 503, temporary);
        assertEquals("30", temporary.headers().firstValue("Retry-After").orElseThrow());
        useCases.sendAnswer = request -> {
            throw new Overloaded("All 4 connections to the SMTP server smtp.example.com:587 stayed busy", Duration.ofSeconds(1));
        };
        Answer overloaded = call("POST", SEND, mailSend, MAIL);
        conforms("POST", SEND, 503, overloaded);
        assertEquals("1", overloaded.headers().firstValue("Retry-After").orElseThrow());
    }

    /** The answers to a configuration body at {@code path} without a token, from a member, too large, not JSON. */
    private void refusalsOfAnAdminsBody(String path) {
        conforms("POST", path, 401, call("POST", path, null, CONFIGURATION_BODY));
        conforms("POST", path, 403, call("POST", path, Tokens.user(USER_SECRET, "member"), CONFIGURATION_BODY));
        conforms("POST", path, 413, call("POST", path, admin,
                CONFIGURATION_BODY.replace("}", ", \"padding\": \"" + "x".repeat((int) HttpServer.MAX_BODY_BYTES) + "\"}")));
        conforms("POST", path, 415, callDeclaring("application/x-www-form-urlencoded", "POST", path, admin, "host=a"));
    }

    @Test
    void storeAConfiguration() {
        conforms("POST", STORED, 200, call("POST", STORED, admin, CONFIGURATION_BODY));
        conforms("POST", STORED, 400, call("POST", STORED, admin, CONFIGURATION_BODY.replace("587", "70000")));
        refusalsOfAnAdminsBody(STORED);
        useCases.saveAnswer = change -> {
            throw new WriteConflict("etcd key /services/smtp at http://etcd:2379 was changed by another write");
        };
        conforms("POST", STORED, 409, call("POST", STORED, admin, CONFIGURATION_BODY));
        useCases.saveAnswer = change -> {
            throw new BackendUnavailable("Cannot write /services/smtp: etcd did not answer", null);
        };
        conforms("POST", STORED, 503, call("POST", STORED, admin, CONFIGURATION_BODY));
    }

    @Test
    void readTheStoredConfiguration() {
        useCases.storedAnswer = () -> Optional.of(new StoredSmtpConfiguration(CONFIGURATION, 3,
                new OpaqueFields(Map.of("tlsPolicy", "strict"))));
        conformsWithHead(STORED, 200, admin);
        conformsWithHead(INTERNAL, 200, fetchConfig);
        useCases.storedAnswer = Optional::empty;
        conformsWithHead(STORED, 200, admin);
        conformsWithHead(INTERNAL, 200, fetchConfig);
        conformsWithHead(STORED, 401, fetchConfig);
        conformsWithHead(STORED, 403, Tokens.user(USER_SECRET, "member"));
        conformsWithHead(INTERNAL, 401, admin);
        useCases.storedAnswer = () -> {
            throw new BackendUnavailable("Cannot read /services/smtp: etcd did not answer", null);
        };
        conformsWithHead(STORED, 503, admin);
        conformsWithHead(INTERNAL, 503, fetchConfig);
    }

    @Test
    void verifyAConfiguration() {
        String withTestMail = CONFIGURATION_BODY.replace("}", ", \"secure\": true, \"sendTestTo\": \"ops@b.example\"}");
        useCases.verifyAnswer = () -> new SmtpVerification(false, List.of(
                new SmtpStep.Result(SmtpStep.DNS, true, Duration.ofMillis(1), "smtp.example.com is 192.0.2.7"),
                new SmtpStep.Result(SmtpStep.CONNECT, true, Duration.ofMillis(12), "connected to 192.0.2.7:587"),
                new SmtpStep.Result(SmtpStep.TLS, false, Duration.ofMillis(30), "the certificate is not trusted")),
                List.of("Put the authority's certificate in TLS_CA_FILE"));
        conforms("POST", VERIFY, 200, call("POST", VERIFY, admin, withTestMail));
        conforms("POST", VERIFY, 400, call("POST", VERIFY, admin, CONFIGURATION_BODY.replace("}", ", \"secure\": \"yes\"}")));
        refusalsOfAnAdminsBody(VERIFY);
        useCases.verifyAnswer = () -> {
            throw new Overloaded("As many SMTP verifications as this replica runs at once (4) are under way",
                    Duration.ofSeconds(5));
        };
        conforms("POST", VERIFY, 503, call("POST", VERIFY, admin, CONFIGURATION_BODY));
    }
}
