package dev.mailservice.bootstrap.pipeshub;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * The tokens PipesHub's own code signs when it calls the mail service, claim for claim
 * ({@code libs/utils/createJwt.ts}): HS256 with {@code jsonwebtoken}'s {@code iat} and {@code exp}.
 */
final class PipesHubTokens {

    private PipesHubTokens() {}

    /** {@code mailJwtGenerator(email)}: OTP, suspicious-login and org-creation mails. */
    static String mail(String scopedSecret, String email) {
        return sign(scopedSecret, 3600, Map.of("email", email, "scopes", List.of("mail:send")));
    }

    /** The mail token of the password-reset, new-account and change-of-address flows. */
    static String userMail(String scopedSecret, String userEmail, String userId, String orgId) {
        return sign(scopedSecret, 3600, Map.of("userEmail", userEmail, "userId", userId, "orgId", orgId,
                "scopes", List.of("mail:send")));
    }

    /** {@code jwtGeneratorForOrgEmailVerification}'s mail token. */
    static String orgVerificationMail(String scopedSecret, String contactEmail, String orgId) {
        return sign(scopedSecret, 25 * 3600, Map.of("contactEmail", contactEmail, "orgId", orgId,
                "scopes", List.of("mail:send")));
    }

    /**
     * {@code fetchConfigJwtGenerator(userId, orgId)}. The configuration manager passes the session's
     * {@code _id}, which a session token does not carry: its calls have no {@code userId} at all.
     */
    static String fetchConfig(String scopedSecret, String userId, String orgId) {
        return userId == null
                ? sign(scopedSecret, 3600, Map.of("orgId", orgId, "scopes", List.of("fetch:config")))
                : sign(scopedSecret, 3600, Map.of("userId", userId, "orgId", orgId, "scopes", List.of("fetch:config")));
    }

    /** {@code authJwtGenerator}: a signed-in user's session token (24 h), with a role unless it predates roles. */
    static String session(String jwtSecret, String role) {
        Map<String, Object> claims = new LinkedHashMap<>(Map.of("userId", "665f1c2e9b1e8a0012345678",
                "orgId", "665f1c2e9b1e8a0087654321", "email", "admin@acme.test", "fullName", "Ada Admin",
                "accountType", "business"));
        if (role != null) {
            claims.put("role", role);
        }
        return sign(jwtSecret, 24 * 3600, claims);
    }

    private static String sign(String secret, long lifetimeSeconds, Map<String, Object> payload) {
        JwtClaims claims = new JwtClaims();
        payload.forEach(claims::setClaim);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(lifetimeSeconds / 60f);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new HmacKey(secret.getBytes(StandardCharsets.UTF_8)));
        jws.setDoKeyValidation(false);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
