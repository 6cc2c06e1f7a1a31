package dev.mailservice.adapters.http.routes;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.mailservice.adapters.http.HttpAdapterTest;
import dev.mailservice.adapters.http.HttpServer;
import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.GetRecentSends;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.testkit.Tokens;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The routes under /api/v1/mail that reload and show the configuration, and what every route shares. */
class MailRoutesTest extends HttpAdapterTest {

    MailRoutesTest(WebServer server, Http1Client client) {
        super(server, client);
    }

    Answer reloadWith(String token) throws Exception {
        return call("POST", "/api/v1/mail/updateSmtpConfig", token, NO_BODY);
    }

    @Test
    void reloadAnswersTheContractsExactBodyWithoutThePassword() throws Exception {
        Answer response = reloadWith(Tokens.scoped(SCOPED_SECRET, "fetch:config"));

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":{\"host\":\"smtp.example.com\","
                + "\"port\":587,\"username\":\"ops@example.com\",\"fromEmail\":\"noreply@example.com\"}}", response.body());
        assertFalse(response.body().contains(PASSWORD));
        assertFalse(response.body().contains("password"));
    }

    @Test
    void reloadLeavesOutAMissingUsername() throws Exception {
        useCases.reloadAnswer = () -> Optional.of(SmtpConfiguration.of("relay.local", 25, null, null, "noreply@example.com", false));

        Answer response = reloadWith(Tokens.scoped(SCOPED_SECRET, "fetch:config"));

        assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":{\"host\":\"relay.local\","
                + "\"port\":25,\"fromEmail\":\"noreply@example.com\"}}", response.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {AlgorithmIdentifiers.HMAC_SHA256, AlgorithmIdentifiers.HMAC_SHA384,
            AlgorithmIdentifiers.HMAC_SHA512})
    void acceptsEveryHmacAlgorithm(String alg) throws Exception {
        String token = Tokens.signed(SCOPED_SECRET, alg, claims -> claims.setStringListClaim("scopes", "mail:send", "fetch:config"));

        assertEquals(200, reloadWith(token).statusCode());
    }

    @Test
    void toleratesClockSkewOfUpToThirtySeconds() throws Exception {
        String token = Tokens.signed(SCOPED_SECRET, AlgorithmIdentifiers.HMAC_SHA256, claims -> {
            claims.setStringListClaim("scopes", "fetch:config");
            claims.setIssuedAt(Tokens.secondsFromNow(-3_600));
            claims.setExpirationTime(Tokens.secondsFromNow(-20));
        });

        Answer response = reloadWith(token);
        assertEquals(200, response.statusCode(), response.body());
    }

    static Stream<Arguments> badTokens() {
        String hs256 = AlgorithmIdentifiers.HMAC_SHA256;
        return Stream.of(
                arguments("no header", null, "The Authorization header is missing"),
                arguments("not Bearer", "Basic dXNlcjpwYXNz", "The Authorization header must be 'Bearer <token>'"),
                arguments("garbage", "not.a.jwt", "Invalid token"),
                arguments("wrong secret", Tokens.scoped("another-secret-of-20+", "fetch:config"), "Invalid token"),
                arguments("alg none", Tokens.signed(SCOPED_SECRET, AlgorithmIdentifiers.NONE,
                        claims -> claims.setStringListClaim("scopes", "fetch:config")), "Invalid token"),
                arguments("alg RS256", Tokens.signedWithRsa(claims -> claims.setStringListClaim("scopes", "fetch:config")),
                        "Invalid token"),
                arguments("expired", Tokens.signed(SCOPED_SECRET, hs256, claims -> {
                    claims.setStringListClaim("scopes", "fetch:config");
                    claims.setIssuedAt(Tokens.secondsFromNow(-3_600));
                    claims.setExpirationTime(Tokens.secondsFromNow(-40));
                }), "The token has expired"),
                arguments("no exp", Tokens.signed(SCOPED_SECRET, hs256, claims -> {
                    claims.setStringListClaim("scopes", "fetch:config");
                    claims.unsetClaim("exp");
                }), "Invalid token: it has no expiry time (exp)"),
                arguments("no scopes", Tokens.signed(SCOPED_SECRET, hs256, claims -> {}),
                        "The token does not grant the scope fetch:config"),
                arguments("scopes a string", Tokens.signed(SCOPED_SECRET, hs256,
                        claims -> claims.setClaim("scopes", "fetch:config")),
                        "The token does not grant the scope fetch:config"),
                arguments("scope fetch:configX", Tokens.scoped(SCOPED_SECRET, "fetch:configX"),
                        "The token does not grant the scope fetch:config"),
                arguments("empty scopes", Tokens.scoped(SCOPED_SECRET), "The token does not grant the scope fetch:config"),
                arguments("another scope", Tokens.scoped(SCOPED_SECRET, "mail:send"),
                        "The token does not grant the scope fetch:config"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void refusesEveryBadTokenWith401(String ignoredCase, String token, String message) throws Exception {
        assertError(reloadWith(token), 401, "HTTP_UNAUTHORIZED", message);
    }

    @Test
    void aUserTokenIsRefusedSayingTheRouteNeedsAScopedTokenWhileAnExpiredOneIsJustInvalid() throws Exception {
        assertError(reloadWith(Tokens.user(USER_SECRET, "admin")), 401, "HTTP_UNAUTHORIZED", "This route needs a "
                + "scoped token with the scope fetch:config (signed with SCOPED_JWT_SECRET); a user token (signed with "
                + "JWT_SECRET) was given");
        assertError(reloadWith(Tokens.signed(USER_SECRET, AlgorithmIdentifiers.HMAC_SHA256, claims -> {
            claims.setStringClaim("role", "admin");
            claims.setExpirationTime(Tokens.secondsFromNow(-40));
        })), 401, "HTTP_UNAUTHORIZED", "Invalid token");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void theStatusRouteRefusesTheSameTokens(String ignoredCase, String token, String message) throws Exception {
        assertError(call("GET", "/api/v1/mail/smtpConfig", token, NO_BODY),
                401, "HTTP_UNAUTHORIZED", message);
    }

    @Test
    void anInvalidConfigurationIsA400NamingTheProblem() throws Exception {
        useCases.reloadAnswer = () -> {
            throw new InvalidInput("port", "must be between 1 and 65535");
        };

        assertError(reloadWith(Tokens.scoped(SCOPED_SECRET, "fetch:config")), 400, "HTTP_BAD_REQUEST",
                "port must be between 1 and 65535");
    }

    @Test
    void nothingStoredIs200WithANullConfigurationAsPipesHubAnswersAFreshInstall() throws Exception {
        useCases.reloadAnswer = Optional::empty;

        assertOk(reloadWith(Tokens.scoped(SCOPED_SECRET, "fetch:config")),
                "{\"message\":\"SMTP configuration updated successfully\",\"smtp\":null}");
    }

    @Test
    void anUnavailableBackendIsA503() throws Exception {
        useCases.reloadAnswer = () -> {
            throw new BackendUnavailable("etcd at http://127.0.0.1:2379 did not answer", null);
        };

        Answer answer = reloadWith(Tokens.scoped(SCOPED_SECRET, "fetch:config"));

        assertError(answer, 503, "HTTP_SERVICE_UNAVAILABLE", "etcd at http://127.0.0.1:2379 did not answer");
        assertEquals(Optional.empty(), answer.headers().firstValue("Retry-After"));
    }

    @Test
    void aBackendBusyWithAnotherReadIsA503WithRetryAfter() throws Exception {
        useCases.reloadAnswer = () -> {
            throw BackendUnavailable.busy("Another read of etcd key /services/smtp at http://127.0.0.1:2379 has not "
                    + "finished within 3000 ms; try again later", Duration.ofSeconds(3));
        };
        Answer answer = reloadWith(Tokens.scoped(SCOPED_SECRET, "fetch:config"));

        assertError(answer, 503, "HTTP_SERVICE_UNAVAILABLE",
                "Another read of etcd key /services/smtp at http://127.0.0.1:2379 has not finished within 3000 ms; "
                        + "try again later");
        assertEquals("3", answer.headers().firstValue("Retry-After").orElseThrow());
    }

    @Test
    void anUnexpectedFailureIsAGeneric500ThatLeaksNothing() throws Exception {
        useCases.reloadAnswer = () -> {
            throw new IllegalStateException("internal detail " + PASSWORD);
        };

        assertError(reloadWith(Tokens.scoped(SCOPED_SECRET, "fetch:config")), 500, "HTTP_INTERNAL_SERVER_ERROR",
                "Internal server error");
    }

    @Test
    void theStatusRouteShowsNothingActive() throws Exception {
        Answer response = call("GET", "/api/v1/mail/smtpConfig", Tokens.scoped(SCOPED_SECRET, "fetch:config"),
                NO_BODY);

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"smtp\":null,\"appliedAt\":null,\"source\":null,\"lastReloadError\":null,\"warnings\":[],"
                + "\"lastVerified\":null,\"oauth2Token\":null}",
                response.body());
    }

    @Test
    void theStatusRouteShowsTheActiveConfigurationTheLastErrorAndTheLastVerification() throws Exception {
        useCases.status = new SmtpStatus(
                Optional.of(new SmtpStatus.Applied(CONFIGURATION, Instant.parse("2026-01-02T03:04:05Z"), "file", 0)),
                Optional.of(new SmtpStatus.ReloadError(Instant.parse("2026-01-02T04:00:00Z"), "port must be ...")),
                List.of("A password is set but no username"),
                Optional.of(new SmtpStatus.Verified(Instant.parse("2026-01-02T03:04:00Z"), false, Optional.of("auth"))),
                Optional.empty());

        Answer response = call("GET", "/api/v1/mail/smtpConfig", Tokens.scoped(SCOPED_SECRET, "fetch:config"),
                NO_BODY);

        assertEquals("{\"smtp\":{\"host\":\"smtp.example.com\",\"port\":587,\"username\":\"ops@example.com\","
                + "\"fromEmail\":\"noreply@example.com\"},\"appliedAt\":\"2026-01-02T03:04:05Z\",\"source\":\"file\","
                + "\"lastReloadError\":{\"at\":\"2026-01-02T04:00:00Z\",\"message\":\"port must be ...\"},"
                + "\"warnings\":[\"A password is set but no username\"],"
                + "\"lastVerified\":{\"at\":\"2026-01-02T03:04:00Z\",\"ok\":false,\"failedStep\":\"auth\"},"
                + "\"oauth2Token\":null}",
                response.body());
    }

    @Test
    void theStatusRouteShowsAnOAuth2LoginWithoutItsSecretsAndItsTokensState() throws Exception {
        SmtpConfiguration oauth2 = CONFIGURATION.withOAuth2(Optional.of(new OAuth2Login.Microsoft(
                "contoso.onmicrosoft.com", "app", Password.of("client-" + PASSWORD))));
        useCases.status = new SmtpStatus(
                Optional.of(new SmtpStatus.Applied(oauth2, Instant.parse("2026-01-02T03:04:05Z"), "etcd", 9)),
                Optional.empty(), List.of(), Optional.empty(),
                Optional.of(new SmtpStatus.OAuth2Token("microsoft", "https://login.example/t/oauth2/v2.0/token",
                        Optional.of(Instant.parse("2026-01-02T04:04:05Z")), Optional.of(Instant.parse("2026-01-02T03:04:05Z")),
                        Optional.of(new SmtpStatus.TokenError(Instant.parse("2026-01-02T03:50:00Z"),
                                "No OAuth 2.0 access token from https://login.example/t/oauth2/v2.0/token: answered HTTP 503",
                                false)))));

        Answer response = call("GET", "/api/v1/mail/smtpConfig", Tokens.scoped(SCOPED_SECRET, "fetch:config"),
                NO_BODY);

        assertFalse(response.body().contains(PASSWORD), response.body());
        assertTrue(response.body().contains("\"oauth2\":{\"kind\":\"microsoft\",\"tenantId\":\"contoso.onmicrosoft.com\","
                + "\"clientId\":\"app\"}"), response.body());
        assertTrue(response.body().endsWith("\"oauth2Token\":{\"kind\":\"microsoft\",\"endpoint\":"
                + "\"https://login.example/t/oauth2/v2.0/token\",\"expiresAt\":\"2026-01-02T04:04:05Z\",\"lastRefresh\":"
                + "\"2026-01-02T03:04:05Z\",\"lastError\":{\"at\":\"2026-01-02T03:50:00Z\",\"message\":\"No OAuth 2.0 "
                + "access token from https://login.example/t/oauth2/v2.0/token: answered HTTP 503\"}}}"), response.body());
    }

    @Test
    void anAdminMayReadTheStatusAndTheRecentSendsAMemberNeither() throws Exception {
        useCases.recentSends = List.of(new GetRecentSends.RecentSend(Instant.parse("2026-01-02T03:04:05Z"),
                "loginWithOTP", Optional.of("Your code"), List.of("to@example.com"), List.of(), "sent",
                "1 attempt; the server said: 250 2.0.0 Ok: queued as 42", Optional.of("<1@example.com>"),
                Duration.ofMillis(12), Optional.of("req-1")));

        assertEquals(200, call("GET", "/api/v1/mail/smtpConfig", Tokens.user(USER_SECRET, "admin"), NO_BODY)
                .statusCode());
        assertError(call("GET", "/api/v1/mail/smtpConfig", Tokens.user(USER_SECRET, "member"), NO_BODY), 403,
                "HTTP_FORBIDDEN", "This needs a user with the role admin");
        assertError(call("GET", "/api/v1/mail/smtpConfig", Tokens.signed(USER_SECRET, AlgorithmIdentifiers.HMAC_SHA256,
                claims -> {
                    claims.setStringClaim("role", "admin");
                    claims.setExpirationTime(Tokens.secondsFromNow(-40));
                }), NO_BODY), 401, "HTTP_UNAUTHORIZED", "The token has expired");
        assertError(call("GET", "/api/v1/mail/smtpConfig", Tokens.scoped(SCOPED_SECRET, "mail:send"), NO_BODY), 401,
                "HTTP_UNAUTHORIZED", "The token does not grant the scope fetch:config");
        Answer sends = call("GET", "/api/v1/mail/sends", Tokens.user(USER_SECRET, "admin"), NO_BODY);
        assertEquals("{\"sends\":[{\"at\":\"2026-01-02T03:04:05Z\",\"template\":\"loginWithOTP\",\"subject\":\"Your code\","
                + "\"to\":[\"to@example.com\"],\"cc\":[],\"outcome\":\"sent\",\"said\":\"1 attempt; the server said: "
                + "250 2.0.0 Ok: queued as 42\",\"messageId\":\"<1@example.com>\",\"ms\":12,\"requestId\":\"req-1\"}]}",
                sends.body());
        assertError(call("GET", "/api/v1/mail/sends", Tokens.scoped(SCOPED_SECRET, "fetch:config"), NO_BODY), 401,
                "HTTP_UNAUTHORIZED", "This route needs a user token with the role admin (signed with JWT_SECRET); a "
                        + "scoped token (signed with SCOPED_JWT_SECRET) was given");
    }

    @Test
    void unknownRoutesAre404InTheContractsShape() throws Exception {
        assertError(call("GET", "/api/v1/nothing/here", null, NO_BODY),
                404, "HTTP_NOT_FOUND", "No route GET /api/v1/nothing/here");
    }

    @Test
    void aKnownPathWithTheWrongMethodIs404() throws Exception {
        assertError(call("GET", "/api/v1/mail/updateSmtpConfig", Tokens.scoped(SCOPED_SECRET, "fetch:config"),
                NO_BODY), 404, "HTTP_NOT_FOUND", "No route GET /api/v1/mail/updateSmtpConfig");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        byte[] large = new byte[(int) HttpServer.MAX_BODY_BYTES + 1];

        assertError(call("POST", "/api/v1/mail/updateSmtpConfig", Tokens.scoped(SCOPED_SECRET, "fetch:config"),
                large), 413, "HTTP_PAYLOAD_TOO_LARGE",
                "The request body is larger than the limit of 64 KiB");
    }

    @Test
    void aBodyAtTheLimitIsAccepted() throws Exception {
        byte[] atLimit = new byte[(int) HttpServer.MAX_BODY_BYTES];

        assertEquals(200, call("POST", "/api/v1/mail/updateSmtpConfig", Tokens.scoped(SCOPED_SECRET, "fetch:config"),
                atLimit).statusCode());
    }
}
