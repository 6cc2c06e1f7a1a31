package dev.mailservice.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/** Builds the tokens PipesHub issues, and the broken ones it must refuse. */
public final class Tokens {

    /** The scoped-token secret test runs give the service ({@code SCOPED_JWT_SECRET}; 20 characters, as it demands). */
    public static final String SCOPED_SECRET = "a1B2c3D4e5F6g7H8i9J0";
    /** The user-token secret test runs give the service ({@code JWT_SECRET}). */
    public static final String USER_SECRET = "u1S2e3R4s5E6c7R8e9T0";

    private Tokens() {}

    /** A scoped token as PipesHub issues it: HS256, one hour, with these scopes. */
    public static String scoped(String secret, String... scopes) {
        return signed(secret, AlgorithmIdentifiers.HMAC_SHA256, claims -> claims.setStringListClaim("scopes", List.of(scopes)));
    }

    /** A user token as PipesHub issues it: HS256, one hour, with this role. */
    public static String user(String secret, String role) {
        return signed(secret, AlgorithmIdentifiers.HMAC_SHA256, claims -> claims.setStringClaim("role", role));
    }

    /** Claims like PipesHub's (userId, orgId, iat, exp in one hour), adjusted by {@code edit}, signed with {@code alg}. */
    public static String signed(String secret, String alg, Consumer<JwtClaims> edit) {
        JsonWebSignature jws = withClaims(edit);
        jws.setAlgorithmHeaderValue(alg);
        if (!AlgorithmIdentifiers.NONE.equals(alg)) {
            jws.setKey(new HmacKey(secret.getBytes(StandardCharsets.UTF_8)));
            jws.setDoKeyValidation(false);
        } else {
            jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        }
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same claims signed with RS256 by a fresh RSA key: valid in form, but not an HMAC token. */
    public static String signedWithRsa(Consumer<JwtClaims> edit) {
        JsonWebSignature jws = withClaims(edit);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            jws.setKey(RsaJwkGenerator.generateJwk(2048).getPrivateKey());
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonWebSignature withClaims(Consumer<JwtClaims> edit) {
        JwtClaims claims = new JwtClaims();
        claims.setClaim("userId", "user-1");
        claims.setClaim("orgId", "org-1");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(60);
        edit.accept(claims);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        return jws;
    }

    public static NumericDate secondsFromNow(long seconds) {
        NumericDate date = NumericDate.now();
        date.addSeconds(seconds);
        return date;
    }
}
