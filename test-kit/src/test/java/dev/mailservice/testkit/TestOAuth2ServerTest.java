package dev.mailservice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the SMTP tests rely on: the server's check of the access tokens it issued. */
class TestOAuth2ServerTest {

    @RegisterExtension
    static final TestOAuth2Server OAUTH = TestOAuth2Server.create();

    @AfterEach
    void reset() {
        OAUTH.reset();
    }

    @Test
    void takesTheTokensItIssuedUntilTheyAreRevoked() throws Exception {
        Predicate<String> accepts = OAUTH.acceptsAccessToken();
        String token = token();

        assertTrue(accepts.test(token));
        assertFalse(accepts.test(withSignatureChanged(token)));
        assertFalse(accepts.test("not-a-jwt"));
        OAUTH.revokeIssuedTokens();
        assertFalse(accepts.test(token));
        assertTrue(accepts.test(token())); // issued after the revocation
    }

    @Test
    void refusesATokenSignedWithAnotherKeyInItsName() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), new JWTClaimsSet.Builder()
                .issuer(OAUTH.issuer("tenant")).subject("app").issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
        forged.sign(new RSASSASigner(generator.generateKeyPair().getPrivate()));

        assertFalse(OAUTH.acceptsAccessToken().test(forged.serialize()));
    }

    @Test
    void refusesATokenOnceItExpiredAndTakesTokensWhileNotListening() throws Exception {
        OAUTH.tokenLifetime(Duration.ofSeconds(2)); // exp is in whole seconds: at least one second ahead
        String token = token();
        OAUTH.stopListening();

        assertTrue(OAUTH.acceptsAccessToken().test(token));
        long expiry = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().getTime();
        Thread.sleep(Math.max(0, expiry - System.currentTimeMillis() + 50));
        assertFalse(OAUTH.acceptsAccessToken().test(token));
    }

    @Test
    void countsAndKeepsTheRequestsItReceived() throws Exception {
        OAUTH.failNext(1, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
        token();

        assertEquals(1, OAUTH.tokenRequests());
        assertEquals(1, OAUTH.tokenRequests("client_credentials"));
        assertEquals(0, OAUTH.tokenRequests("refresh_token"));
        ReceivedTokenRequest sent = OAUTH.lastTokenRequest().orElseThrow();
        assertEquals("tenant", sent.issuerId());
        assertEquals("s3cret", sent.clientSecret().orElseThrow());
        assertFalse(sent.basicAuthentication());
    }

    private static String withSignatureChanged(String token) {
        int at = token.length() - 10; // well inside the signature, whose last character may hold padding bits
        return token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
    }

    /** A client-credentials token from issuer "tenant", or the refusal's JSON when refused. */
    private static String token() throws Exception {
        HTTPRequest http = new TokenRequest.Builder(OAUTH.tokenUrl("tenant"),
                new ClientSecretPost(new ClientID("app"), new Secret("s3cret")), new ClientCredentialsGrant())
                .scope(new Scope("https://outlook.office365.com/.default")).build().toHTTPRequest();
        http.setSSLSocketFactory(OAUTH.trustingCaOnly().getSocketFactory());
        http.setConnectTimeout(5_000);
        http.setReadTimeout(5_000);
        TokenResponse answer = TokenResponse.parse(http.send());
        return answer.indicatesSuccess()
                ? answer.toSuccessResponse().getTokens().getAccessToken().getValue()
                : answer.toErrorResponse().getErrorObject().toJSONObject().toJSONString();
    }
}
