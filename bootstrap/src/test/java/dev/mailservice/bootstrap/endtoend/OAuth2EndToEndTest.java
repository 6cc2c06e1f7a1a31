package dev.mailservice.bootstrap.endtoend;

import static dev.mailservice.bootstrap.endtoend.SendMailEndToEndTest.otpMail;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mailservice.bootstrap.AssembledService;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.TestOAuth2Server;
import dev.mailservice.testkit.Tokens;
import dev.mailservice.testkit.XOAuth2SmtpServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OAuth 2.0 logins through the whole service, against a real OAuth 2.0 server over TLS (NAV's
 * mock-oauth2-server, with certificates the test makes) and an SMTP server that takes a login only
 * with an access token that server issued, checked against its keys and not expired.
 */
class OAuth2EndToEndTest {

    private static final String MAILBOX = "mailbox@example.com";
    private static final String CLIENT_SECRET = "client-s3cret-of-the-app-2026";
    private static final String REFRESH_TOKEN = "refresh-t0ken-given-by-consent";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KeyPair GOOGLE_KEY = googleKey();
    private static final String PRIVATE_KEY = pem(GOOGLE_KEY);

    private static final TestOAuth2Server OAUTH2 = TestOAuth2Server.create();
    /** Every access token a login was tried with: no answer or log line may show one. */
    private static final Set<String> TOKENS_SEEN = ConcurrentHashMap.newKeySet();
    private static XOAuth2SmtpServer smtp;

    @RegisterExtension
    final AssembledService service = new AssembledService(CLIENT_SECRET, REFRESH_TOKEN, PRIVATE_KEY.lines().skip(1)
            .findFirst().orElseThrow());

    @TempDir
    Path directory;

    private ServiceClient client;
    private int mailsBefore;

    @BeforeAll
    static void startServers() throws Exception {
        OAUTH2.start();
        smtp = XOAuth2SmtpServer.start(MAILBOX, token -> {
            TOKENS_SEEN.add(token);
            return OAUTH2.acceptsAccessToken().test(token);
        });
    }

    @AfterAll
    static void stopServers() throws Exception {
        smtp.close();
        OAUTH2.close();
    }

    @BeforeEach
    void start() {
        OAUTH2.reset();
        mailsBefore = smtp.messages().size();
        client = service.start(Map.of("SMTP_CONFIG_FILE", directory.resolve("smtp.json").toString(),
                "TLS_CA_FILE", OAUTH2.caFile().toString(),
                "OAUTH2_MICROSOFT_AUTHORITY", OAUTH2.authority().toString(),
                "SMTP_POOL_IDLE_MS", "300"));
    }

    @AfterEach
    void noAccessTokenShown() {
        List<String> tokens = new ArrayList<>(TOKENS_SEEN);
        tokens.forEach(client::assertNoAnswerShows);
        service.assertNoLogLineShows(tokens);
    }

    private static ObjectNode configuration(Map<String, String> oauth2) {
        ObjectNode configuration = JSON.createObjectNode().put("host", "127.0.0.1").put("port", smtp.port())
                .put("username", MAILBOX).put("fromEmail", "noreply@example.com");
        ObjectNode login = configuration.putObject("oauth2");
        oauth2.forEach(login::put);
        return configuration;
    }

    private static ObjectNode login(String kind) {
        return switch (kind) {
            case "microsoft" -> configuration(Map.of("kind", "microsoft", "tenantId", "contoso", "clientId", "app-id",
                    "clientSecret", CLIENT_SECRET));
            case "google" -> configuration(Map.of("kind", "google", "clientEmail", "sender@project.iam.gserviceaccount.com",
                    "privateKey", PRIVATE_KEY, "tokenUri", OAUTH2.tokenUrl("google").toString()));
            case "refreshToken" -> configuration(Map.of("kind", "refreshToken", "tokenUrl",
                    OAUTH2.tokenUrl("idp").toString(), "clientId", "app-id", "clientSecret", CLIENT_SECRET,
                    "refreshToken", REFRESH_TOKEN));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private void store(ObjectNode configuration) throws Exception {
        HttpResponse<String> stored = client.storeConfiguration(JSON.writeValueAsString(configuration));
        assertEquals(200, stored.statusCode(), stored.body());
    }

    private int mails() {
        return smtp.messages().size() - mailsBefore;
    }

    private void sent(String name) throws Exception {
        HttpResponse<String> sent = client.sendEmail(otpMail(name));
        assertEquals(200, sent.statusCode(), sent.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"microsoft", "google", "refreshToken"})
    void eachKindSendsWithATokenTheServerIssued(String kind) throws Exception {
        String issued = "outcome=\"issued\"";
        // The meters live as long as the JVM, across the tests' services: counted from here.
        double issuedBefore = ServiceClient.metric(client.metrics(), "mailservice_oauth2_token_requests_total",
                "kind=\"" + kind + "\"", issued);
        store(login(kind));

        sent("Ann");
        sent("Bob");

        assertEquals(2, mails());
        assertEquals(1, OAUTH2.tokenRequests(), "one token for both sends");
        assertTrue(smtp.mechanismsTried().stream().allMatch("XOAUTH2"::equals), smtp.mechanismsTried().toString());
        String status = client.status();
        assertTrue(status.contains("\"oauth2Token\":{\"kind\":\"" + kind + "\""), status);
        String metrics = client.metrics();
        assertEquals(issuedBefore + 1, ServiceClient.metric(metrics, "mailservice_oauth2_token_requests_total",
                "kind=\"" + kind + "\"", issued), metrics);
        double expiry = ServiceClient.metric(metrics, "mailservice_oauth2_token_expiry_seconds");
        assertTrue(expiry > 3000 && expiry <= 3600, "an hour's token: " + expiry);
        assertFalse(status.contains(CLIENT_SECRET) || status.contains(REFRESH_TOKEN), status);
    }

    @Test
    void microsoftsRequestCarriesTheClientSecretAndExchangeOnlinesScope() throws Exception {
        store(login("microsoft"));
        sent("Ann");

        var request = OAUTH2.lastTokenRequest().orElseThrow();
        assertEquals("contoso/oauth2/v2.0", request.issuerId(), "the tenant's endpoint under the authority");
        assertEquals("client_credentials", request.grantType());
        assertEquals("https://outlook.office365.com/.default", request.scope().orElseThrow());
        assertEquals(CLIENT_SECRET, request.clientSecret().orElseThrow());
    }

    @Test
    void googlesAssertionIsSignedWithTheKeyForTheMailbox() throws Exception {
        store(login("google"));
        sent("Ann");

        SignedJWT assertion = SignedJWT.parse(OAUTH2.lastTokenRequest().orElseThrow().assertion().orElseThrow());
        assertTrue(assertion.verify(new RSASSAVerifier((RSAPublicKey) GOOGLE_KEY.getPublic())));
        JWTClaimsSet claims = assertion.getJWTClaimsSet();
        assertEquals("sender@project.iam.gserviceaccount.com", claims.getIssuer());
        assertEquals(MAILBOX, claims.getSubject());
        assertEquals(List.of(OAUTH2.tokenUrl("google").toString()), claims.getAudience());
        assertEquals("https://mail.google.com/", claims.getStringClaim("scope"));
        assertTrue(claims.getExpirationTime().after(claims.getIssueTime()));
    }

    @Test
    void aStreamOfSendsAcrossSeveralTokenLifetimesHasNoFailureAndOneRequestPerRenewal() throws Exception {
        // The endpoint counts a token's lifetime down to the second: a 4-second token is given for 3 or 4.
        OAUTH2.tokenLifetime(Duration.ofSeconds(4));
        store(login("microsoft"));
        long started = System.nanoTime();
        int sends = 0;
        while (System.nanoTime() - started < Duration.ofSeconds(12).toNanos()) {
            sent("Ann-" + sends++);
            Thread.sleep(50);
        }
        double elapsed = (System.nanoTime() - started) / 1e9;

        assertEquals(sends, mails(), "no send failed");
        // Renewed at three quarters of each lifetime, in the background: never a burst, never a token let expire.
        int requests = OAUTH2.tokenRequests();
        assertTrue(requests >= Math.floor(elapsed / 4), requests + " requests in " + elapsed + " s");
        assertTrue(requests <= Math.ceil(elapsed / (3 * 0.75)) + 1, requests + " requests in " + elapsed + " s");
    }

    @Test
    void aRevokedTokenIsReplacedOnceAndTheMailGoes() throws Exception {
        store(login("microsoft"));
        sent("Ann");
        OAUTH2.revokeIssuedTokens();
        int refusedBefore = smtp.loginsRefused();
        awaitNoPooledConnection();

        sent("Bob");

        assertEquals(refusedBefore + 1, smtp.loginsRefused());
        assertEquals(2, OAUTH2.tokenRequests());
        assertEquals(2, mails());
    }

    @Test
    void anEndpointThatIsDownLeavesAValidTokenInUse() throws Exception {
        store(login("microsoft"));
        sent("Ann");
        OAUTH2.stopListening();
        int loginsBefore = smtp.loginsAccepted();
        awaitNoPooledConnection();

        sent("Bob");
        assertEquals(2, mails());
        assertEquals(loginsBefore + 1, smtp.loginsAccepted(), "a new connection logged in with the cached token");
        assertEquals(1, OAUTH2.tokenRequests());
    }

    @Test
    void withNoValidTokenAndTheEndpointDownSendsFailAtOnceNamingIt() throws Exception {
        OAUTH2.stopListening();
        store(login("refreshToken"));

        long started = System.nanoTime();
        HttpResponse<String> refused = client.sendEmail(otpMail("Ann"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("SMTP_TEMPORARY_FAILURE"), refused.body());
        assertTrue(refused.body().contains("No OAuth 2.0 access token from " + OAUTH2.tokenUrl("idp")), refused.body());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "failed in " + took + ", not after the SMTP timeout");
        assertTrue(client.status().contains("\"lastError\":{\"at\":"), client.status());

        OAUTH2.listenAgain();
        String recovered = client.statusWithin(Duration.ofSeconds(10), status -> status.contains("\"lastError\":null"));
        assertTrue(recovered.contains("\"expiresAt\":\""), recovered);
        sent("Bob");
    }

    @Test
    void aWrongClientSecretFailsTheTokenStepWithItsAdvice() throws Exception {
        OAUTH2.failNext(1, "invalid_client", "AADSTS7000215: Invalid client secret provided.");

        HttpResponse<String> verified = client.verifyConfiguration(JSON.writeValueAsString(login("microsoft")));

        assertEquals(200, verified.statusCode(), verified.body());
        JsonNode report = JSON.readTree(verified.body());
        assertFalse(report.get("ok").asBoolean());
        assertEquals(1, report.get("steps").size());
        assertEquals("token", report.get("steps").get(0).get("name").asText());
        assertTrue(report.get("steps").get(0).get("detail").asText().contains("AADSTS7000215"), verified.body());
        assertTrue(report.get("advice").get(0).asText().contains("client secret"), verified.body());
        assertFalse(verified.body().contains(CLIENT_SECRET), verified.body());
    }

    @Test
    void aVerifiedOAuth2LoginShowsTheTokenStepAndLogsInWithXoauth2() throws Exception {
        HttpResponse<String> verified = client.verifyConfiguration(JSON.writeValueAsString(login("google")));

        JsonNode report = JSON.readTree(verified.body());
        assertTrue(report.get("ok").asBoolean(), verified.body());
        assertEquals("token", report.get("steps").get(0).get("name").asText());
        assertEquals("auth", report.get("steps").get(report.get("steps").size() - 1).get("name").asText());
    }

    @Test
    void aRotatedRefreshTokenIsStoredBack() throws Exception {
        OAUTH2.rotateRefreshTokens(true);
        store(login("refreshToken"));
        sent("Ann");

        String rotated = storedRefreshTokenWithin(Duration.ofSeconds(5), token -> !token.equals(REFRESH_TOKEN));
        OAUTH2.revokeIssuedTokens();
        awaitNoPooledConnection(); // the next send logs in anew, and is refused

        // The first refresh token is refused by now: the new one, as stored, gets the next access token.
        sent("Bob");
        assertEquals(2, mails());
        assertEquals(List.of(REFRESH_TOKEN, rotated), OAUTH2.receivedTokenRequests().stream()
                .map(request -> request.refreshToken().orElseThrow()).toList());
        storedRefreshTokenWithin(Duration.ofSeconds(5), token -> !token.equals(rotated));
    }

    @ParameterizedTest
    @ValueSource(strings = {"microsoft", "google", "refreshToken"})
    void storedSecretsComeBackAsThePlaceholderAndAreKeptOnlyForTheSameEndpointAndClient(String kind) throws Exception {
        store(login(kind));
        HttpResponse<String> shown = client.call("GET", "/api/v1/configurationManager/smtpConfig",
                Tokens.user(USER_SECRET, "admin"), null);
        assertFalse(shown.body().contains(CLIENT_SECRET) || shown.body().contains(REFRESH_TOKEN)
                || shown.body().contains("PRIVATE KEY") || shown.body().contains(PRIVATE_KEY.lines().toList().get(1)),
                shown.body());
        ObjectNode sentBack = (ObjectNode) JSON.readTree(shown.body());

        store(sentBack);
        sent("Ann");
        assertEquals(1, mails(), "the kept secrets still log in");

        ObjectNode elsewhere = sentBack.deepCopy();
        ObjectNode login = (ObjectNode) elsewhere.get("oauth2");
        switch (kind) {
            case "microsoft" -> login.put("tenantId", "attacker");
            case "google" -> login.put("tokenUri", "https://attacker.example/token");
            default -> login.put("tokenUrl", "https://attacker.example/token");
        }
        HttpResponse<String> refused = client.storeConfiguration(JSON.writeValueAsString(elsewhere));
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("oauth2."), refused.body());
        assertTrue(refused.body().contains("must be given again"), refused.body());
    }

    /** Waits until the service closed its idle SMTP connection ({@code SMTP_POOL_IDLE_MS} is short here). */
    private void awaitNoPooledConnection() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ServiceClient.metric(client.metrics(), "mailservice_smtp_connections_idle") > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the idle SMTP connection was not closed within 10 s");
            }
            Thread.sleep(50);
        }
    }

    /** The refresh token stored in the file, once {@code condition} holds for it. */
    private String storedRefreshTokenWithin(Duration limit, java.util.function.Predicate<String> condition)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String stored = JSON.readTree(Files.readString(directory.resolve("smtp.json"))).get("oauth2")
                    .get("refreshToken").asText();
            if (condition.test(stored)) {
                return stored;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not stored within " + limit.toMillis() + " ms");
            }
            Thread.sleep(20);
        }
    }

    private static KeyPair googleKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as a service account's key file holds it: PKCS #8 in PEM. */
    private static String pem(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
