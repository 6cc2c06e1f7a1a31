package dev.mailservice.adapters.http.edge;

import dev.mailservice.adapters.http.answers.HttpError;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;

/**
 * Checks the {@code Authorization: Bearer <jwt>} header, as PipesHub signs its tokens: scoped
 * tokens (services) with one HMAC secret, user tokens (people) with another; HS256, HS384 or HS512
 * only ({@code none} and every other algorithm are refused), {@code exp} required and enforced with
 * at most 30 seconds of clock skew.
 *
 * <p>Every refusal is a 401 with a message of our own: the library's messages quote the token's
 * claims, which a client has no business reading back in a log. A token of the other kind than the
 * route needs, valid under the other secret, is refused saying which kind the route needs: a
 * caller who pasted the wrong one learns what to paste, and learns nothing of either secret, only
 * what its own token already shows. Access is only ever granted by the route's own secret.
 */
public final class TokenVerifier {

    /** The request context's mark of a request let through on a user's token by {@link #requireScopeOrRole}. */
    private static final String USER_CALLER = TokenVerifier.class.getName() + ".userCaller";

    /** The claim holding a scoped token's scopes: an array of strings. */
    static final String SCOPES_CLAIM = "scopes";
    /** The claim holding a user token's role: {@code admin} or {@code member}. */
    static final String ROLE_CLAIM = "role";

    private static final int MAX_CLOCK_SKEW_SECONDS = 30;
    private static final String BEARER = "Bearer ";
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder BASE64URL_ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** The two kinds of token, named as a refusal names them, with the setting of their secret. */
    private enum Kind {
        SCOPED("a scoped token", "SCOPED_JWT_SECRET"),
        USER("a user token", "JWT_SECRET");

        private final String name;
        private final String secretName;

        Kind(String name, String secretName) {
            this.name = name;
            this.secretName = secretName;
        }

        Kind other() {
            return this == SCOPED ? USER : SCOPED;
        }

        /** {@code a user token (signed with JWT_SECRET)}: the setting's name only, never its value. */
        String signed() {
            return name + " (signed with " + secretName + ")";
        }
    }

    private final Map<Kind, JwtConsumer> consumers = new EnumMap<>(Kind.class);

    /**
     * @param scopedSecret the HMAC secret scoped tokens are signed with
     * @param userSecret   the HMAC secret user tokens are signed with; neither may be empty, since an
     *                     empty key would let anyone forge a token
     */
    public TokenVerifier(String scopedSecret, String userSecret) {
        consumers.put(Kind.SCOPED, consumer(scopedSecret));
        consumers.put(Kind.USER, consumer(userSecret));
    }

    private static JwtConsumer consumer(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("a token secret must not be empty");
        }
        return new JwtConsumerBuilder()
                .setVerificationKey(new HmacKey(secret.getBytes(StandardCharsets.UTF_8)))
                // PipesHub's secrets are 20 characters, shorter than the 32 bytes jose4j asks of HS256 keys.
                .setRelaxVerificationKeyValidation()
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(ConstraintType.PERMIT,
                        AlgorithmIdentifiers.HMAC_SHA256, AlgorithmIdentifiers.HMAC_SHA384,
                        AlgorithmIdentifiers.HMAC_SHA512))
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(MAX_CLOCK_SKEW_SECONDS)
                .setSkipDefaultAudienceValidation()
                .build();
    }

    /**
     * A handler that lets the request through to the next handler only with a valid scoped token
     * whose {@code scopes} array contains {@code scope} exactly.
     */
    public Handler requireScope(String scope) {
        String needed = "a scoped token with the scope " + scope;
        return (request, response) -> {
            checkScope(verify(bearerToken(request), Kind.SCOPED, needed), scope);
            response.next();
        };
    }

    /**
     * A handler that lets through a valid scoped token whose {@code scopes} contain {@code scope},
     * or a valid user token whose {@code role} is {@code role}: for a route that services and an
     * admin's browser both read. A token signed with the user secret is judged as a user token, as
     * {@link #requireRole} judges it (expired, of another role); any other as {@link #requireScope}
     * judges it.
     */
    public Handler requireScopeOrRole(String scope, String role) {
        return (request, response) -> {
            String token = bearerToken(request);
            try {
                checkScope(verify(token, Kind.SCOPED, null), scope);
            } catch (HttpError notScoped) {
                if (!signedWith(token, Kind.USER)) {
                    throw notScoped;
                }
                checkRole(verify(token, Kind.USER, null), role);
                request.context().register(USER_CALLER, Boolean.TRUE);
            }
            response.next();
        };
    }

    /** Whether {@link #requireScopeOrRole} let {@code request} through on a user's token, not a service's. */
    public static boolean byUser(ServerRequest request) {
        return request.context().get(USER_CALLER, Boolean.class).orElse(false);
    }

    private static void checkScope(JwtClaims claims, String scope) {
        if (!(claims.getClaimValue(SCOPES_CLAIM) instanceof List<?> granted) || !granted.contains(scope)) {
            throw HttpError.unauthorized("The token does not grant the scope " + scope);
        }
    }

    /**
     * A handler that lets the request through to the next handler only with a valid user token
     * whose {@code role} claim is {@code role}. A valid token of another role is a 403; one with no
     * role at all is a 401, as PipesHub answers it: its web app then signs the user in again and
     * gets a token that carries the role.
     */
    public Handler requireRole(String role) {
        String needed = "a user token with the role " + role;
        return (request, response) -> {
            checkRole(verify(bearerToken(request), Kind.USER, needed), role);
            response.next();
        };
    }

    private static void checkRole(JwtClaims claims, String role) {
        Object granted = claims.getClaimValue(ROLE_CLAIM);
        if (granted == null) {
            throw HttpError.unauthorized("The token has no role: sign in again");
        }
        if (!role.equals(granted)) {
            throw HttpError.forbidden("This needs a user with the role " + role);
        }
    }

    /**
     * The request's bearer token, in canonical form; a 401 {@link HttpError} otherwise, or a 400
     * when the request carries more than one {@code Authorization} header (which one a proxy in
     * front passed on, and which one it checked, would be anyone's guess).
     */
    private static String bearerToken(ServerRequest request) {
        if (!request.headers().contains(HeaderNames.AUTHORIZATION)) {
            throw HttpError.unauthorized("The Authorization header is missing");
        }
        Header authorization = request.headers().get(HeaderNames.AUTHORIZATION);
        if (authorization.valueCount() > 1) {
            throw HttpError.badRequest("Send one Authorization header, not " + authorization.valueCount());
        }
        String header = authorization.get();
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw HttpError.unauthorized("The Authorization header must be 'Bearer <token>'");
        }
        String token = header.substring(BEARER.length()).strip();
        if (!isCanonicalCompactForm(token)) {
            throw HttpError.unauthorized("Invalid token");
        }
        return token;
    }

    /**
     * The claims of {@code token}, valid as a token of {@code kind}; a 401 {@link HttpError}
     * otherwise. When the route says what it {@code needed} and the token's signature is not of
     * {@code kind}'s secret but of the other's (checked in full, as a valid token of that kind), the
     * refusal says so.
     */
    private JwtClaims verify(String token, Kind kind, String needed) {
        try {
            return consumers.get(kind).processToClaims(token);
        } catch (InvalidJwtException e) {
            if (needed != null && e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) && isValid(token, kind.other())) {
                throw HttpError.unauthorized("This route needs " + needed + " (signed with " + kind.secretName + "); "
                        + kind.other().signed() + " was given");
            }
            throw HttpError.unauthorized(reason(e));
        }
    }

    /** Whether {@code token}'s signature is {@code kind}'s, whatever its claims say (expired, say). */
    private boolean signedWith(String token, Kind kind) {
        try {
            consumers.get(kind).processToClaims(token);
            return true;
        } catch (InvalidJwtException invalid) {
            return !invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID);
        }
    }

    private boolean isValid(String token, Kind kind) {
        try {
            consumers.get(kind).processToClaims(token);
            return true;
        } catch (InvalidJwtException invalid) {
            return false;
        }
    }

    /**
     * Whether {@code token} is three parts of canonical base64url (RFC 7515): the URL alphabet, no
     * padding, and unused bits zero. jose4j also decodes the standard alphabet, padding and stray
     * bits, so a signature could be written several ways; only one spelling of a token is accepted.
     */
    private static boolean isCanonicalCompactForm(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        for (String part : parts) {
            try {
                if (!BASE64URL_ENCODER.encodeToString(BASE64URL_DECODER.decode(part)).equals(part)) {
                    return false;
                }
            } catch (IllegalArgumentException notBase64Url) {
                return false;
            }
        }
        return true;
    }

    private static String reason(InvalidJwtException e) {
        if (e.hasExpired()) {
            return "The token has expired";
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
            return "Invalid token: it has no expiry time (exp)";
        }
        return "Invalid token";
    }
}
