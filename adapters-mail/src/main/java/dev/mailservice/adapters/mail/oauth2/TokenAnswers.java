package dev.mailservice.adapters.mail.oauth2;

import com.nimbusds.common.contenttype.ContentType;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.application.port.out.TokenEndpoint.Answer;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;
import net.minidev.json.JSONObject;

/**
 * What a token endpoint's answer, or the failure to get one, means for the service: a token
 * ({@link TokenEndpoint.Issued}), a refusal ({@link TokenEndpoint.Refused}: an OAuth 2.0 error
 * with a 4xx status), or the endpoint unavailable ({@link TokenEndpoint.Unavailable}: anything
 * else). Every word taken from the endpoint or an exception goes through the request's {@link
 * SecretMask}; no body is quoted beyond the OAuth error and its description.
 */
final class TokenAnswers {

    /**
     * The lifetime taken when the endpoint gives no {@code expires_in} (RFC 6749 only recommends
     * it): an hour, what Entra ID and Google give. The token is renewed after three quarters of it;
     * if it ends sooner, the mail server refuses it and the service asks for another.
     */
    static final Duration ASSUMED_LIFETIME = Duration.ofHours(1);

    private static final List<String> TOKEN_MEMBERS = List.of("access_token", "refresh_token", "id_token");

    private TokenAnswers() {}

    /** The answer for the endpoint's {@code response} to a request for {@code login}. */
    static Answer of(HTTPResponse response, OAuth2Login login, SecretMask mask) {
        Optional<JSONObject> json = jsonOf(response);
        json.ifPresent(members -> TOKEN_MEMBERS.forEach(member -> { // secrets too, should one turn up in its words
            if (members.get(member) instanceof String token) {
                mask.hide(token);
            }
        }));
        int status = response.getStatusCode();
        if (status == HTTPResponse.SC_OK) {
            return issued(response, json, login);
        }
        if (status >= 300 && status < 400) {
            return new TokenEndpoint.Unavailable("answered HTTP " + status + ", a redirect, which is not followed: "
                    + "the token endpoint's URL may be out of date");
        }
        // Read from the body as sent, not through Nimbus's ErrorObject, which drops the characters RFC 6749
        // does not allow there: an echoed secret with one of them would no longer be found to be hidden.
        Optional<String> code = json.map(members -> members.get("error")).filter(String.class::isInstance)
                .map(value -> mask.apply((String) value)).filter(word -> !word.isEmpty());
        Optional<String> description = json.map(members -> members.get("error_description"))
                .filter(String.class::isInstance).map(value -> mask.apply((String) value))
                .filter(words -> !words.isEmpty());
        boolean refusal = status >= 400 && status < 500 && status != 408 && status != 429;
        if (refusal && code.isPresent()) {
            return new TokenEndpoint.Refused(code.get(), description);
        }
        String said = code.map(word -> ": " + word + description.map(words -> " (" + words + ")").orElse(""))
                .orElse(status >= 200 && status < 300 ? ", where 200 with a token was expected" : "");
        return new TokenEndpoint.Unavailable("answered HTTP " + status + said);
    }

    /** The answer when the request failed before a response: no connection, no answer in time, TLS. */
    static TokenEndpoint.Unavailable failed(IOException e, Duration timeout, SecretMask mask) {
        return new TokenEndpoint.Unavailable(mask.apply(reason(e, timeout)));
    }

    private static Answer issued(HTTPResponse response, Optional<JSONObject> json, OAuth2Login login) {
        try {
            AccessTokenResponse answer = AccessTokenResponse.parse(response);
            AccessToken accessToken = answer.getTokens().getAccessToken();
            long expiresIn = accessToken.getLifetime(); // 0 when the endpoint did not say
            Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(expiresIn) : ASSUMED_LIFETIME;
            String scope = accessToken.getScope() != null ? accessToken.getScope().toString()
                    : login.scopeAsked().orElse("");
            return new TokenEndpoint.Issued(Password.of(accessToken.getValue()), lifetime,
                    newRefreshToken(login, answer.getTokens().getRefreshToken()), scope);
        } catch (ParseException | IllegalArgumentException e) {
            return new TokenEndpoint.Unavailable("answered HTTP 200 without a token it could read ("
                    + whatIsWrong(response, json) + ")");
        }
    }

    /** A refresh token given in place of the one {@code login} sent; none for the other grants. */
    private static Optional<Password> newRefreshToken(OAuth2Login login, RefreshToken given) {
        if (!(login instanceof OAuth2Login.RefreshToken sent) || given == null || given.getValue().isEmpty()) {
            return Optional.empty();
        }
        Password replacement = Password.of(given.getValue());
        return replacement.equals(sent.refreshToken()) ? Optional.empty() : Optional.of(replacement);
    }

    /** Why a 200 answer holds no token, in the service's words: the body is never quoted. */
    private static String whatIsWrong(HTTPResponse response, Optional<JSONObject> json) {
        ContentType type = response.getEntityContentType();
        if (type == null || !type.matches(ContentType.APPLICATION_JSON)) {
            return "its content is " + (type == null ? "of no type" : type.getType()) + ", not application/json";
        }
        if (json.isEmpty()) {
            return "its content is not a JSON object";
        }
        if (!(json.get().get("access_token") instanceof String token) || token.isEmpty()) {
            return "it has no access_token";
        }
        if (!(json.get().get("token_type") instanceof String)) {
            return "it has no token_type";
        }
        return "its token_type, expires_in or scope cannot be read";
    }

    /** The body as a JSON object, when it is one (whatever its content type says). */
    private static Optional<JSONObject> jsonOf(HTTPResponse response) {
        String body = response.getBody();
        if (body == null || !body.strip().startsWith("{")) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSONObjectUtils.parse(body));
        } catch (ParseException notJson) {
            return Optional.empty();
        }
    }

    private static String reason(IOException e, Duration timeout) {
        String said = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return switch (e) {
            case UnknownHostException unknown -> "its host name does not resolve: " + said;
            case ConnectException refused -> "could not connect: " + said;
            case NoRouteToHostException unreachable -> "could not connect: " + said;
            case SocketTimeoutException late when said.toLowerCase(Locale.ROOT).contains("connect") ->
                    "could not connect within " + timeout.toMillis() + " ms (" + said + ")";
            case SocketTimeoutException late -> "gave no answer within " + timeout.toMillis() + " ms (" + said + ")";
            default -> tlsReason(e).orElseGet(() -> "the request failed: " + e.getClass().getSimpleName() + ": " + said);
        };
    }

    /** Why TLS failed, naming the certificate when it is the certificate. */
    private static Optional<String> tlsReason(IOException e) {
        if (!(e instanceof SSLException)) {
            return Optional.empty();
        }
        Throwable root = e;
        boolean certificate = false;
        boolean expired = false;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            certificate |= cause instanceof CertificateException || cause instanceof CertPathBuilderException
                    || cause instanceof CertPathValidatorException;
            expired |= cause instanceof CertificateExpiredException;
            root = cause;
        }
        String said = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (expired) {
            return Optional.of("its TLS certificate has expired (" + said + ")");
        }
        if (certificate && said.contains("subject alternative")) {
            return Optional.of("its TLS certificate is for another host name (" + said + ")");
        }
        if (certificate) {
            return Optional.of("its TLS certificate is not trusted (" + said + "); if a private authority signed "
                    + "it, set TLS_CA_FILE to that authority's certificate");
        }
        return Optional.of("TLS failed: " + said);
    }
}
