package dev.mailservice.adapters.http.routes;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.http.HttpAdapterTest;
import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.StoredVersions;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.testkit.Tokens;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.junit.jupiter.api.Test;

/** The configuration-manager routes under /api/v1/configurationManager. */
class ConfigManagerRoutesTest extends HttpAdapterTest {

    ConfigManagerRoutesTest(WebServer server, Http1Client client) {
        super(server, client);
    }

    private static final String PATH = "/api/v1/configurationManager/smtpConfig";
    private static final String INTERNAL_PATH = "/api/v1/configurationManager/internal/smtpConfig";
    private static final String BODY = """
            {"host": "smtp.sendgrid.net", "port": 587, "username": "apikey", "password": "SG.key",
             "fromEmail": "noreply@example.com"}""";

    private static String admin() {
        return Tokens.user(USER_SECRET, "admin");
    }

    private Answer get(String path, String token) throws Exception {
        return call("GET", path, token, NO_BODY);
    }

    private static SmtpConfigurationChange.Field given(String value) {
        return SmtpConfigurationChange.Field.of(Optional.of(value));
    }

    @Test
    void anAdminStoresAConfigurationAndGetsTheContractsAnswer() throws Exception {
        assertOk(call("POST", PATH, admin(), BODY), "{\"message\":\"SMTP config created successfully\"}");

        assertEquals(List.of(new SmtpConfigurationChange(given("smtp.sendgrid.net"), 587, false, given("apikey"), given("SG.key"),
                given("noreply@example.com"), OpaqueFields.NONE)), useCases.saved);
    }

    @Test
    void theAdminViewTellsTheStoredVersionAndASaveMayAskToWriteOnlyOverIt() throws Exception {
        StoredSmtpConfiguration stored = new StoredSmtpConfiguration(SmtpConfiguration.of("smtp.sendgrid.net", 587,
                "apikey", "SG.key", "noreply@example.com", false), 7, OpaqueFields.NONE);
        String version = stored.version(HttpAdapterTest.VERSION_KEY);
        useCases.storedAnswer = () -> Optional.of(stored);

        Answer shown = get(PATH, admin());
        assertEquals("\"" + version + "\"", shown.headers().firstValue("ETag").orElseThrow());
        useCases.storedAnswer = Optional::empty;
        assertEquals("\"none\"", get(PATH, admin()).headers().firstValue("ETag").orElseThrow());

        assertOk(saveWith("\"" + version + "\""), "{\"message\":\"SMTP config created successfully\"}");
        assertOk(call("POST", PATH, admin(), BODY), "{\"message\":\"SMTP config created successfully\"}");
        assertEquals(List.of(Optional.of(StoredVersions.oneOf(Set.of(version))), Optional.empty()), useCases.savedOver);
    }

    @Test
    void ifMatchIsReadAsRfc9110SaysStarAListOrStrongTagsOnly() throws Exception {
        assertOk(saveWith("*"), "{\"message\":\"SMTP config created successfully\"}");
        assertOk(saveWith("\"7-aa\", W/\"7-bb\" ,\"8-cc\""), "{\"message\":\"SMTP config created successfully\"}");

        assertEquals(List.of(Optional.of(StoredVersions.any()), Optional.of(StoredVersions.oneOf(Set.of("7-aa", "8-cc")))),
                useCases.savedOver, "a weak tag never matches strongly");
    }

    @Test
    void emptyElementsOfTheIfMatchListArePassedOver() throws Exception {
        for (String list : List.of(", \"7-aa\"", "\"7-aa\",,\"8-bb\"", "\"7-aa\" , ,\"8-bb\",", ",\"7-aa\",")) {
            assertOk(saveWith(list), "{\"message\":\"SMTP config created successfully\"}");
        }

        assertEquals(List.of(Optional.of(StoredVersions.oneOf(Set.of("7-aa"))),
                Optional.of(StoredVersions.oneOf(Set.of("7-aa", "8-bb"))),
                Optional.of(StoredVersions.oneOf(Set.of("7-aa", "8-bb"))),
                Optional.of(StoredVersions.oneOf(Set.of("7-aa")))), useCases.savedOver);
    }

    @Test
    void anIfMatchOfWeakTagsOnlyIs409SayingThatAWeakTagNeverMatches() throws Exception {
        for (String weak : List.of("W/\"7-aa\"", "W/\"7-aa\", W/\"8-bb\"")) {
            assertError(saveWith(weak), 409, "HTTP_CONFLICT", "If-Match names only weak entity tags, and a weak "
                    + "tag (W/ before its quotes) never matches: send the ETag the configuration was read with, without "
                    + "W/ (a compressing proxy may have added it); nothing was stored");
        }
        assertEquals(List.of(), useCases.saved);
    }

    @Test
    void anIfMatchThatIsNoListOfEntityTagsIs400AndSavesNothing() throws Exception {
        for (String malformed : List.of("7-aa", "\"7-aa", "\"7-aa\" \"8-bb\"", "**", "", ", ,")) {
            assertError(saveWith(malformed), 400, "HTTP_BAD_REQUEST",
                    "If-Match must be * or a list of quoted entity tags, such as the ETag the configuration was read with");
        }
        assertEquals(List.of(), useCases.saved);
    }

    private Answer saveWith(String ifMatch) throws Exception {
        return call("POST", PATH, admin(), BODY.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("If-Match", ifMatch));
    }

    @Test
    void aMemberIsForbidden() throws Exception {
        assertError(call("POST", PATH, Tokens.user(USER_SECRET, "member"), BODY), 403, "HTTP_FORBIDDEN",
                "This needs a user with the role admin");
        assertError(get(PATH, Tokens.user(USER_SECRET, "member")), 403, "HTTP_FORBIDDEN",
                "This needs a user with the role admin");
        assertEquals(List.of(), useCases.saved);
    }

    @Test
    void aScopedTokenIsNotAUserTokenAndTheRefusalSaysWhichKindTheRouteNeeds() throws Exception {
        assertError(call("POST", PATH, Tokens.user(SCOPED_SECRET, "admin"), BODY), 401, "HTTP_UNAUTHORIZED",
                "This route needs a user token with the role admin (signed with JWT_SECRET); a scoped token (signed "
                        + "with SCOPED_JWT_SECRET) was given");
        assertError(get(PATH, Tokens.scoped(SCOPED_SECRET, "fetch:config")), 401, "HTTP_UNAUTHORIZED",
                "This route needs a user token with the role admin (signed with JWT_SECRET); a scoped token (signed "
                        + "with SCOPED_JWT_SECRET) was given");
    }

    @Test
    void noTokenIs401() throws Exception {
        assertError(call("POST", PATH, null, BODY), 401, "HTTP_UNAUTHORIZED", "The Authorization header is missing");
    }

    @Test
    void anInvalidConfigurationIs400ValidationErrorNamingTheField() throws Exception {
        useCases.saveAnswer = fields -> {
            throw new InvalidInput("port", "must be between 1 and 65535");
        };

        assertError(call("POST", PATH, admin(), BODY.replace("587", "0")), 400, "VALIDATION_ERROR",
                "port must be between 1 and 65535");
    }

    @Test
    void aWriteThatLostARaceIs409() throws Exception {
        useCases.saveAnswer = fields -> {
            throw new WriteConflict("etcd key /services/smtp at http://etcd:2379 was changed by "
                    + "another write");
        };

        assertError(call("POST", PATH, admin(), BODY), 409, "HTTP_CONFLICT",
                "etcd key /services/smtp at http://etcd:2379 was changed by another write");
    }

    @Test
    void aMalformedBodyIs400WithoutQuotingIt() throws Exception {
        assertError(call("POST", PATH, admin(), "{\"password\": SecretPa55}"), 400, "HTTP_BAD_REQUEST",
                "The request body is not valid JSON (line 1, column 14)");
        assertEquals(List.of(), useCases.saved);
    }

    @Test
    void anUnreachableBackendIs503() throws Exception {
        useCases.saveAnswer = fields -> {
            throw new BackendUnavailable("Cannot write /services/smtp: etcd did not answer", null);
        };

        assertError(call("POST", PATH, admin(), BODY), 503, "HTTP_SERVICE_UNAVAILABLE",
                "Cannot write /services/smtp: etcd did not answer");
    }

    @Test
    void aBodyOverSixtyFourKibibytesIs413() throws Exception {
        assertError(call("POST", PATH, admin(), BODY.replace("SG.key", "k".repeat(64 * 1024))), 413,
                "HTTP_PAYLOAD_TOO_LARGE", "The request body is larger than the limit of 64 KiB");
        assertEquals(List.of(), useCases.saved);
    }

    @Test
    void theAdminViewMasksThePassword() throws Exception {
        assertOk(get(PATH, admin()), "{\"host\":\"smtp.example.com\",\"port\":587,\"username\":\"ops@example.com\","
                + "\"password\":\"****************\",\"fromEmail\":\"noreply@example.com\"}");
    }

    @Test
    void nothingStoredIsAnEmptyObject() throws Exception {
        useCases.storedAnswer = Optional::empty;

        assertOk(get(PATH, admin()), "{}");
        assertOk(get(INTERNAL_PATH, Tokens.scoped(SCOPED_SECRET, "fetch:config")), "{}");
    }

    @Test
    void theInternalViewIsInFullForAScopedToken() throws Exception {
        assertOk(get(INTERNAL_PATH, Tokens.scoped(SCOPED_SECRET, "fetch:config")), "{\"host\":\"smtp.example.com\","
                + "\"port\":587,\"username\":\"ops@example.com\",\"password\":\"" + PASSWORD
                + "\",\"fromEmail\":\"noreply@example.com\"}");
    }

    @Test
    void theInternalViewNeedsTheScope() throws Exception {
        assertError(get(INTERNAL_PATH, Tokens.scoped(SCOPED_SECRET, "mail:send")), 401, "HTTP_UNAUTHORIZED",
                "The token does not grant the scope fetch:config");
        assertError(get(INTERNAL_PATH, admin()), 401, "HTTP_UNAUTHORIZED", "This route needs a scoped token with the "
                + "scope fetch:config (signed with SCOPED_JWT_SECRET); a user token (signed with JWT_SECRET) was given");
    }

    @Test
    void theStoredDocumentIsReadEachTime() throws Exception {
        useCases.storedAnswer = () -> Optional.of(new StoredSmtpConfiguration(
                SmtpConfiguration.of("relay.local", 25, null, null, "relay@example.com", false), 0, OpaqueFields.NONE));

        assertOk(get(PATH, admin()), "{\"host\":\"relay.local\",\"port\":25,\"fromEmail\":\"relay@example.com\"}");
    }

    @Test
    void fieldsTheServiceDoesNotKnowComeBackAsStoredFromBothViews() throws Exception {
        useCases.storedAnswer = () -> Optional.of(new StoredSmtpConfiguration(CONFIGURATION, 0,
                new OpaqueFields(Map.of("tlsPolicy", "strict"))));

        assertOk(get(PATH, admin()), "{\"host\":\"smtp.example.com\",\"port\":587,\"username\":\"ops@example.com\","
                + "\"password\":\"****************\",\"fromEmail\":\"noreply@example.com\",\"tlsPolicy\":\"strict\"}");
        assertTrue(get(INTERNAL_PATH, Tokens.scoped(SCOPED_SECRET, "fetch:config")).body().endsWith(",\"tlsPolicy\":\"strict\"}"));
    }

    @Test
    void aUserTokenWithoutARoleIs401SoThatTheWebAppSignsTheUserInAgain() throws Exception {
        String noRole = Tokens.signed(USER_SECRET, AlgorithmIdentifiers.HMAC_SHA256, claims -> {});

        assertError(get(PATH, noRole), 401, "HTTP_UNAUTHORIZED", "The token has no role: sign in again");
        assertError(call("POST", PATH, noRole, BODY), 401, "HTTP_UNAUTHORIZED", "The token has no role: sign in again");
    }

    private static final String VERIFY_PATH = PATH + "/verify";

    @Test
    void anAdminVerifiesACandidateAndGetsTheReportWith200WhetherOrNotTheServerPassed() throws Exception {
        useCases.verifyAnswer = () -> new SmtpVerification(false, List.of(
                new SmtpStep.Result(SmtpStep.DNS, true, Duration.ofMillis(3), "smtp.sendgrid.net is 1.2.3.4"),
                new SmtpStep.Result(SmtpStep.AUTH, false, Duration.ofMillis(41), "535 Authentication failed")),
                List.of("Check the password"));

        assertOk(call("POST", VERIFY_PATH, admin(), BODY.replace("}", ", \"sendTestTo\": \"ops@example.com\"}")),
                "{\"ok\":false,\"steps\":[{\"name\":\"dns\",\"ok\":true,\"ms\":3,\"detail\":\"smtp.sendgrid.net is 1.2.3.4\"},"
                        + "{\"name\":\"auth\",\"ok\":false,\"ms\":41,\"detail\":\"535 Authentication failed\"}],"
                        + "\"advice\":[\"Check the password\"]}");

        assertEquals(List.of(Map.entry(new SmtpConfigurationChange(given("smtp.sendgrid.net"), 587, false, given("apikey"),
                given("SG.key"), given("noreply@example.com"), OpaqueFields.NONE),
                Optional.of(new EmailAddress("ops@example.com")))), useCases.verified);
        assertEquals(List.of(), useCases.saved, "a verification stores nothing");
    }

    @Test
    void aVerificationWithoutATestAddressSendsNoTestMailAndABadOneIsRefused() throws Exception {
        call("POST", VERIFY_PATH, admin(), BODY);
        assertEquals(Optional.empty(), useCases.verified.get(0).getValue());

        assertError(call("POST", VERIFY_PATH, admin(), BODY.replace("}", ", \"sendTestTo\": \"nobody\"}")), 400,
                "VALIDATION_ERROR", "sendTestTo must be an e-mail address like name@example.com");
        assertEquals(1, useCases.verified.size());
    }

    @Test
    void verifyingIsForAdminsAndTooManyAtOnceIs503WithRetryAfter() throws Exception {
        assertError(call("POST", VERIFY_PATH, Tokens.user(USER_SECRET, "member"), BODY), 403, "HTTP_FORBIDDEN",
                "This needs a user with the role admin");
        useCases.verifyAnswer = () -> {
            throw new Overloaded("As many SMTP verifications as this replica runs at once (4) are under way",
                    Duration.ofSeconds(5));
        };

        Answer busy = call("POST", VERIFY_PATH, admin(), BODY);

        assertError(busy, 503, "HTTP_SERVICE_UNAVAILABLE",
                "As many SMTP verifications as this replica runs at once (4) are under way");
        assertEquals("5", busy.headers().firstValue("Retry-After").orElseThrow());
    }
}
