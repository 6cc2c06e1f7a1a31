package dev.mailservice.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * What {@link TestOAuth2Server} puts in the access tokens it issues (their lifetime, and a
 * generation that {@link #revokeAll()} leaves behind), and which of them it still takes. The mock
 * server asks it for each token request, as the callback of the request's issuer.
 */
final class IssuedTokens implements OAuth2TokenCallback {

    /** The claim that holds the revocation generation a token was issued in. */
    static final String GENERATION_CLAIM = "generation";

    private final OAuth2TokenProvider keys;
    private volatile String issuerBase = "";
    private volatile String issuerAsked;
    private volatile long lifetimeSeconds;
    private volatile long generation;

    IssuedTokens(OAuth2TokenProvider keys, Duration lifetime) {
        this.keys = keys;
        lifetime(lifetime);
    }

    /** Where the issuers are: {@code https://localhost:<port>}; an issuer is this, a slash and its id. */
    void issuerBase(String base) {
        this.issuerBase = base;
    }

    /** The issuer of the token request being answered, or null between requests. */
    void answering(String issuerId) {
        this.issuerAsked = issuerId;
    }

    void lifetime(Duration lifetime) {
        if (lifetime.toSeconds() < 1) {
            throw new IllegalArgumentException("a token lifetime is at least a second: " + lifetime);
        }
        this.lifetimeSeconds = lifetime.toSeconds();
    }

    /** Every token issued so far is refused from now on; those issued later are taken. */
    synchronized void revokeAll() {
        generation++;
    }

    /**
     * Whether {@code accessToken} is one of ours: signed with the key of the issuer it names, that
     * issuer under {@link #issuerBase}, not expired (no clock skew allowed), and not revoked.
     */
    boolean accepts(String accessToken) {
        try {
            SignedJWT token = SignedJWT.parse(accessToken);
            String issuer = token.getJWTClaimsSet().getIssuer();
            if (issuer == null || !issuer.startsWith(issuerBase + "/")) {
                return false;
            }
            DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
                    new ImmutableJWKSet<>(keys.publicJwkSet(issuer.substring(issuerBase.length() + 1)))));
            DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                    new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("exp", "iat"));
            claims.setMaxClockSkew(0); // Nimbus allows 60 s by default: a short-lived token would pass long after it ended
            processor.setJWTClaimsSetVerifier(claims);
            Long issuedIn = processor.process(token, null).getLongClaim(GENERATION_CLAIM);
            return (issuedIn == null ? 0 : issuedIn) >= generation;
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException refused) {
            return false;
        }
    }

    @Override
    public String issuerId() {
        return issuerAsked;
    }

    /** The client, for every grant that names one (the JWT-bearer grant takes its subject from the assertion). */
    @Override
    public String subject(TokenRequest request) {
        ClientID client = request.getClientAuthentication() != null
                ? request.getClientAuthentication().getClientID() : request.getClientID();
        return client == null ? "subject" : client.getValue();
    }

    @Override
    public String typeHeader(TokenRequest request) {
        return "JWT";
    }

    /** The scopes asked for, as the mock server's default does. */
    @Override
    public List<String> audience(TokenRequest request) {
        return request.getScope() == null ? List.of("default") : request.getScope().toStringList();
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest request) {
        Map<String, Object> claims = new HashMap<>();
        claims.put(GENERATION_CLAIM, generation);
        if (issuerAsked != null) {
            claims.put("tid", issuerAsked);
        }
        return claims;
    }

    @Override
    public long tokenExpiry() {
        return lifetimeSeconds;
    }
}
