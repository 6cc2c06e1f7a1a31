package dev.mailservice.adapters.mail.oauth2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.mailservice.application.port.out.TokenEndpoint.Answer;
import dev.mailservice.application.port.out.TokenEndpoint.Issued;
import dev.mailservice.application.port.out.TokenEndpoint.Refused;
import dev.mailservice.application.port.out.TokenEndpoint.Unavailable;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import dev.mailservice.testkit.ReceivedTokenRequest;
import dev.mailservice.testkit.TestCertificates;
import dev.mailservice.testkit.TestOAuth2Server;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The token endpoint adapter against a real OAuth 2.0 server over TLS (test-kit's TestOAuth2Server). */
class NimbusTokenEndpointTest {

    @RegisterExtension
    static final TestOAuth2Server OAUTH = TestOAuth2Server.create();

    private static final String MAILBOX = "mailbox@example.com";
    /** With the characters Entra ID's secrets have, which a Basic header must form-encode. */
    private static final String CLIENT_SECRET = "Qx8~s3cr3t.Value+/=_-tail";
    private static final String REFRESH_TOKEN = "stored-refresh-token-0a1b2c3d4e5f";
    private static final String SERVICE_ACCOUNT = "sender@project.iam.gserviceaccount.com";

    private static SSLSocketFactory trustingTestCa;
    private static NimbusTokenEndpoint endpoint;
    private static KeyPair googleKeys;
    private static String googlePem;

    /** Every secret a test sent or got, for the check that no answer holds one in its words. */
    private final List<String> secrets = new ArrayList<>(List.of(CLIENT_SECRET, REFRESH_TOKEN));

    @BeforeAll
    static void setUp() throws Exception {
        trustingTestCa = OAUTH.trustingCaOnly().getSocketFactory();
        endpoint = new NimbusTokenEndpoint(OAUTH.authority(), Optional.of(trustingTestCa), Duration.ofSeconds(5));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        googleKeys = generator.generateKeyPair();
        googlePem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(googleKeys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @AfterEach
    void resetServer() {
        OAUTH.reset();
    }

    @Test
    void microsoftGetsATokenWithTheClientSecretInABasicHeaderAndTheExchangeScope() throws Exception {
        OAuth2Login.Microsoft login = microsoft();

        Issued issued = issued(endpoint.request(login, MAILBOX));

        assertTrue(OAUTH.acceptsAccessToken().test(issued.accessToken().reveal()));
        assertEquals(OAUTH.issuer("tenant-1/oauth2/v2.0"),
                SignedJWT.parse(issued.accessToken().reveal()).getJWTClaimsSet().getIssuer());
        assertEquals(OAuth2Login.Microsoft.SCOPE, issued.scope());
        assertEquals(Optional.empty(), issued.newRefreshToken());
        assertLifetime(Duration.ofHours(1), issued);
        ReceivedTokenRequest sent = OAUTH.lastTokenRequest().orElseThrow();
        assertEquals("tenant-1/oauth2/v2.0", sent.issuerId());
        assertEquals("client_credentials", sent.grantType());
        assertEquals(Optional.of(OAuth2Login.Microsoft.SCOPE), sent.scope());
        assertTrue(sent.basicAuthentication());
        assertEquals(Optional.of("app-id"), sent.clientId());
        assertEquals(Optional.of(CLIENT_SECRET), sent.clientSecret());
        assertFalse(sent.form().containsKey("client_secret"));
        assertEquals(URI.create(OAUTH.authority() + "/tenant-1/oauth2/v2.0/token"), endpoint.endpointOf(login));
    }

    @Test
    void googleSendsAnAssertionSignedWithTheKeyForTheMailbox() throws Exception {
        OAuth2Login.Google login = google(googlePem);
        Instant before = Instant.now();

        Issued issued = issued(endpoint.request(login, MAILBOX));

        ReceivedTokenRequest sent = OAUTH.lastTokenRequest().orElseThrow();
        assertEquals("urn:ietf:params:oauth:grant-type:jwt-bearer", sent.grantType());
        assertEquals(Optional.empty(), sent.authorization());
        assertFalse(sent.form().containsKey("client_secret"));
        SignedJWT assertion = SignedJWT.parse(sent.assertion().orElseThrow());
        secrets.add(assertion.serialize());
        assertEquals(JWSAlgorithm.RS256, assertion.getHeader().getAlgorithm());
        assertTrue(assertion.verify(new RSASSAVerifier((RSAPublicKey) googleKeys.getPublic())));
        JWTClaimsSet claims = assertion.getJWTClaimsSet();
        assertEquals(SERVICE_ACCOUNT, claims.getIssuer());
        assertEquals(MAILBOX, claims.getSubject());
        assertEquals(List.of(OAUTH.tokenUrl("google").toString()), claims.getAudience());
        assertEquals(OAuth2Login.Google.SCOPE, claims.getStringClaim("scope"));
        assertEquals(3600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);
        assertTrue(Math.abs(claims.getIssueTime().getTime() - before.toEpochMilli()) < 5_000);
        assertTrue(OAUTH.acceptsAccessToken().test(issued.accessToken().reveal()));
        assertEquals(MAILBOX, SignedJWT.parse(issued.accessToken().reveal()).getJWTClaimsSet().getSubject());
        assertEquals(OAuth2Login.Google.SCOPE, issued.scope());
        assertEquals(OAUTH.tokenUrl("google"), endpoint.endpointOf(login));
    }

    @Test
    void googleTakesAKeyWhoseLineBreaksAreWrittenAsInItsJsonString() {
        issued(endpoint.request(google(googlePem.replace("\n", "\\n")), MAILBOX));
    }

    @Test
    void googleKeyThatIsNotPkcs8IsRefusedWithoutAskingTheEndpoint() {
        OAuth2Login.Google login = google("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n");

        Refused refused = assertInstanceOf(Refused.class, endpoint.request(login, MAILBOX));

        assertEquals("invalid_private_key", refused.error());
        assertTrue(refused.description().orElseThrow().contains("PKCS #1"), refused.toString());
        assertEquals(0, OAUTH.tokenRequests());
    }

    @Test
    void refreshTokenRotatedByTheEndpointIsAnsweredAsTheNewOne() {
        OAUTH.rotateRefreshTokens(true);
        OAuth2Login.RefreshToken login = refreshToken(Optional.of(Password.of(CLIENT_SECRET)),
                Optional.of("https://mail.example.test/smtp offline_access"));

        Issued first = issued(endpoint.request(login, MAILBOX));

        Password replacement = first.newRefreshToken().orElseThrow();
        secrets.add(replacement.reveal());
        assertNotEquals(REFRESH_TOKEN, replacement.reveal());
        ReceivedTokenRequest sent = OAUTH.lastTokenRequest().orElseThrow();
        assertEquals("refresh_token", sent.grantType());
        assertEquals(Optional.of(REFRESH_TOKEN), sent.refreshToken());
        assertEquals(Optional.of("https://mail.example.test/smtp offline_access"), sent.scope());
        assertTrue(sent.basicAuthentication());
        assertEquals(Optional.of(CLIENT_SECRET), sent.clientSecret());
        Issued second = issued(endpoint.request(login.withRefreshToken(replacement), MAILBOX));
        assertNotEquals(replacement, second.newRefreshToken().orElseThrow());
        secrets.add(second.newRefreshToken().orElseThrow().reveal());
        Refused replaced = assertInstanceOf(Refused.class, endpoint.request(login, MAILBOX));
        assertEquals("invalid_grant", replaced.error());
        assertNoSecretIn(replaced);
    }

    @Test
    void refreshTokenOfAPublicClientSendsItsIdInTheFormAndGetsNoNewRefreshTokenWithoutRotation() {
        Issued issued = issued(endpoint.request(refreshToken(Optional.empty(), Optional.empty()), MAILBOX));

        assertEquals(Optional.empty(), issued.newRefreshToken()); // the same one came back
        ReceivedTokenRequest sent = OAUTH.lastTokenRequest().orElseThrow();
        assertEquals(Optional.empty(), sent.authorization());
        assertEquals("public-client", sent.form().get("client_id"));
        assertEquals(Optional.empty(), sent.clientSecret());
        assertEquals(Optional.empty(), sent.scope());
        assertEquals(1, OAUTH.tokenRequests("refresh_token"));
    }

    @Test
    void lifetimeIsTheEndpointsExpiresIn() {
        OAUTH.tokenLifetime(Duration.ofSeconds(120));

        assertLifetime(Duration.ofSeconds(120), issued(endpoint.request(microsoft(), MAILBOX)));
    }

    @Test
    void tokenWithoutExpiresInIsTakenForAnHour() {
        OAUTH.answerNext(1, 200, "application/json", "{\"access_token\":\"opaque-token-1\",\"token_type\":\"Bearer\"}");
        secrets.add("opaque-token-1");

        Issued issued = issued(endpoint.request(microsoft(), MAILBOX));

        assertEquals("opaque-token-1", issued.accessToken().reveal());
        assertEquals(Duration.ofHours(1), issued.lifetime());
        assertEquals(OAuth2Login.Microsoft.SCOPE, issued.scope()); // as asked, since the answer names none
    }

    @Test
    void oauthErrorIsRefusedWithItsCodeAndDescription() {
        String description = "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
                + "request is the client secret value, not the client secret ID.";
        OAUTH.failNext(1, "invalid_client", description);

        Answer answer = endpoint.request(microsoft(), MAILBOX);

        assertEquals(new Refused("invalid_client", Optional.of(description)), answer);
        assertNoSecretIn(answer);
    }

    @Test
    void secretsEchoedInTheDescriptionAreHiddenAndItsControlCharactersAndLengthTamed() {
        String basicHeader = Base64.getEncoder().encodeToString(("confidential-client:"
                + CLIENT_SECRET.replace("~", "%7E").replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"))
                .getBytes(StandardCharsets.UTF_8));
        OAUTH.failNext(1, "invalid_grant", "AADSTS70000: grant '" + REFRESH_TOKEN + "' of secret "
                + CLIENT_SECRET.toUpperCase() + " (Basic " + basicHeader + ")\r\nTrace ID: 42\u0000" + "x".repeat(600));

        Answer answer = endpoint.request(refreshToken(Optional.of(Password.of(CLIENT_SECRET)), Optional.empty()),
                MAILBOX);

        Refused refused = assertInstanceOf(Refused.class, answer);
        String description = refused.description().orElseThrow();
        assertTrue(description.startsWith("AADSTS70000: grant '[hidden]' of secret [hidden] (Basic [hidden]) Trace ID: 42"),
                description);
        assertTrue(description.length() <= 300, "length " + description.length());
        assertTrue(description.chars().noneMatch(Character::isISOControl), description);
        secrets.add(basicHeader);
        assertNoSecretIn(answer);
    }

    @Test
    void serverErrorIsUnavailableWithoutItsPage() {
        OAUTH.answerNext(1, 503);

        Answer answer = endpoint.request(microsoft(), MAILBOX);

        assertEquals(new Unavailable("answered HTTP 503"), answer);
        issued(endpoint.request(microsoft(), MAILBOX)); // the next is answered again
    }

    @Test
    void oauthErrorWithAServerErrorStatusIsUnavailableNamingIt() {
        OAUTH.answerNext(1, 500, "application/json",
                "{\"error\":\"server_error\",\"error_description\":\"AADSTS50000: There was an error issuing a token.\"}");

        assertEquals(new Unavailable("answered HTTP 500: server_error (AADSTS50000: There was an error issuing a token.)"),
                endpoint.request(microsoft(), MAILBOX));
    }

    @Test
    void answerWithoutATokenIsUnavailableSayingWhy() {
        OAUTH.answerNext(1, 200, "text/html", "<html>sign in</html>");
        OAUTH.answerNext(1, 200, "application/json", "{\"token_type\":\"Bearer\"}");
        OAUTH.answerNext(1, 302, "text/html", "moved");

        assertEquals(new Unavailable("answered HTTP 200 without a token it could read (its content is text/html, "
                + "not application/json)"), endpoint.request(microsoft(), MAILBOX));
        assertEquals(new Unavailable("answered HTTP 200 without a token it could read (it has no access_token)"),
                endpoint.request(microsoft(), MAILBOX));
        Unavailable redirect = assertInstanceOf(Unavailable.class, endpoint.request(microsoft(), MAILBOX));
        assertTrue(redirect.reason().startsWith("answered HTTP 302, a redirect, which is not followed"), redirect.reason());
        assertEquals(3, OAUTH.tokenRequests("client_credentials"));
    }

    @Test
    void endpointDownIsUnavailableAtOnceAndAnsweredWhenBack() {
        OAUTH.stopListening();
        long started = System.nanoTime();

        Answer answer = endpoint.request(microsoft(), MAILBOX);

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Unavailable down = assertInstanceOf(Unavailable.class, answer);
        assertTrue(down.reason().startsWith("could not connect: Connection refused"), down.reason());
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "took " + took);
        OAUTH.listenAgain();
        issued(endpoint.request(microsoft(), MAILBOX));
    }

    @Test
    void endpointThatNeverAnswersIsUnavailableAfterTheTimeout() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // and never a byte back, not even TLS's
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            Unavailable silence = impatientRequest(silent.getLocalPort(), Duration.ofMillis(450), Duration.ofSeconds(3));

            assertTrue(silence.reason().startsWith("gave no answer within 500 ms"), silence.reason());
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void endpointThatTricklesItsAnswerIsUnavailableOnceTheRequestHasTakenThreeTimesTheTimeout() throws Exception {
        SSLContext sameCertificate = TestCertificates.serving(OAUTH.caFile().getParent(),
                TestCertificates.SERVER_CERTIFICATE_FILE, TestCertificates.SERVER_KEY_FILE);
        AtomicBoolean clientLeft = new AtomicBoolean();
        try (ServerSocket endpoint = sameCertificate.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> answerEachRequestAByteAtATime(endpoint, clientLeft));

            Unavailable slow = impatientRequest(endpoint.getLocalPort(), Duration.ofMillis(1450), Duration.ofSeconds(4));

            assertEquals("gave no complete answer within 1500 ms", slow.reason());
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!clientLeft.get() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(clientLeft.get(), "the abandoned request's connection is still open");
        }
    }

    /**
     * Over TLS, reads each request and answers it with a token a byte every 50 ms: never silent for
     * a 500 ms read timeout (a wake-up late by most of it still is not), but the answer takes
     * seconds. {@code clientLeft} is set once a client has closed its connection before the end.
     */
    private static void answerEachRequestAByteAtATime(ServerSocket endpoint, AtomicBoolean clientLeft) {
        byte[] answer = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n"
                + "{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":3600}").getBytes(StandardCharsets.US_ASCII);
        try {
            while (true) {
                Socket client = endpoint.accept();
                Thread.ofVirtual().start(() -> {
                    try (client) {
                        BufferedReader request = new BufferedReader(
                                new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
                        int bodyLength = 0;
                        for (String line = request.readLine(); line != null && !line.isEmpty(); line = request.readLine()) {
                            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                                bodyLength = Integer.parseInt(line.substring("content-length:".length()).strip());
                            }
                        }
                        for (int read = 0; read < bodyLength && request.read() >= 0; read++) {
                            // the form, which this endpoint does not look at
                        }
                        OutputStream out = client.getOutputStream();
                        for (byte next : answer) {
                            Thread.sleep(50);
                            out.write(next);
                            out.flush();
                        }
                    } catch (IOException gone) {
                        clientLeft.set(true);
                    } catch (InterruptedException stopped) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    @Test
    void untrustedCertificateIsUnavailableNamingTheCertificateAndTheSetting() {
        NimbusTokenEndpoint trustingTheJdkOnly = new NimbusTokenEndpoint(OAUTH.authority(), Optional.empty(),
                Duration.ofSeconds(5));

        Answer answer = trustingTheJdkOnly.request(microsoft(), MAILBOX);

        Unavailable untrusted = assertInstanceOf(Unavailable.class, answer);
        assertTrue(untrusted.reason().startsWith("its TLS certificate is not trusted (unable to find valid certification path"),
                untrusted.reason());
        assertTrue(untrusted.reason().contains("TLS_CA_FILE"), untrusted.reason());
        assertEquals(0, OAUTH.tokenRequests());
        assertNoSecretIn(answer);
    }

    /**
     * A Microsoft login's request, with a 500 ms timeout, to an endpoint on {@code port} that is
     * expected to be unavailable, its answer coming after between {@code least} and {@code most}.
     */
    private static Unavailable impatientRequest(int port, Duration least, Duration most) {
        NimbusTokenEndpoint impatient = new NimbusTokenEndpoint(URI.create("https://localhost:" + port),
                Optional.of(trustingTestCa), Duration.ofMillis(500));
        long started = System.nanoTime();
        Answer answer = impatient.request(microsoft(), MAILBOX);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(least) >= 0 && took.compareTo(most) < 0, "took " + took);
        return assertInstanceOf(Unavailable.class, answer);
    }

    private Issued issued(Answer answer) {
        Issued issued = assertInstanceOf(Issued.class, answer, answer::toString);
        secrets.add(issued.accessToken().reveal());
        issued.newRefreshToken().ifPresent(token -> secrets.add(token.reveal()));
        assertNoSecretIn(answer);
        return issued;
    }

    /** Neither the answer's words nor its toString hold a secret sent or a token got. */
    private void assertNoSecretIn(Answer answer) {
        List<String> words = new ArrayList<>(List.of(answer.toString()));
        switch (answer) {
            case Refused refused -> {
                words.add(refused.error());
                refused.description().ifPresent(words::add);
            }
            case Unavailable unavailable -> words.add(unavailable.reason());
            case Issued issued -> words.add(issued.scope());
        }
        List<String> all = new ArrayList<>(secrets);
        all.add(googlePem);
        for (String text : words) {
            for (String secret : all) {
                assertFalse(text.toLowerCase().contains(secret.toLowerCase()), () -> "a secret in: " + text);
            }
        }
    }

    private static void assertLifetime(Duration expected, Issued issued) {
        // expires_in is counted down to the whole second from when the token was signed
        assertTrue(issued.lifetime().compareTo(expected) <= 0
                && issued.lifetime().compareTo(expected.minusSeconds(2)) >= 0, issued.lifetime().toString());
    }

    private static OAuth2Login.Microsoft microsoft() {
        return new OAuth2Login.Microsoft("tenant-1", "app-id", Password.of(CLIENT_SECRET));
    }

    private static OAuth2Login.Google google(String privateKey) {
        return new OAuth2Login.Google(SERVICE_ACCOUNT, Password.of(privateKey), OAUTH.tokenUrl("google"));
    }

    private static OAuth2Login.RefreshToken refreshToken(Optional<Password> clientSecret, Optional<String> scope) {
        return new OAuth2Login.RefreshToken(OAUTH.tokenUrl("mail"),
                clientSecret.isPresent() ? "confidential-client" : "public-client", clientSecret,
                Password.of(REFRESH_TOKEN), scope);
    }
}
