package dev.mailservice.testkit;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A token request as {@link TestOAuth2Server} received it, for a test to check what a client sent:
 * the form's parameters and the client's credentials, whether in an {@code Authorization: Basic}
 * header (client_secret_basic) or in the form (client_secret_post, or a public client's
 * {@code client_id}).
 *
 * @param issuerId      the issuer the request was for: the path before {@code /token}
 * @param form          the form's parameters, decoded; a parameter given twice keeps its first value
 * @param authorization the {@code Authorization} header, when there was one
 */
public record ReceivedTokenRequest(String issuerId, Map<String, String> form, Optional<String> authorization) {

    public ReceivedTokenRequest {
        form = Map.copyOf(form);
    }

    /** Reads an {@code application/x-www-form-urlencoded} body. */
    static Map<String, String> formOf(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] nameAndValue = pair.split("=", 2);
            form.putIfAbsent(URLDecoder.decode(nameAndValue[0], StandardCharsets.UTF_8),
                    nameAndValue.length > 1 ? URLDecoder.decode(nameAndValue[1], StandardCharsets.UTF_8) : "");
        }
        return form;
    }

    /** {@code grant_type}, or empty when the form has none. */
    public String grantType() {
        return form.getOrDefault("grant_type", "");
    }

    /** The form's {@code scope}. */
    public Optional<String> scope() {
        return Optional.ofNullable(form.get("scope"));
    }

    /** The JWT-bearer grant's {@code assertion}, as sent (the server does not verify its signature). */
    public Optional<String> assertion() {
        return Optional.ofNullable(form.get("assertion"));
    }

    /** The refresh-token grant's {@code refresh_token}. */
    public Optional<String> refreshToken() {
        return Optional.ofNullable(form.get("refresh_token"));
    }

    /** The client id, from the Basic header or else the form. */
    public Optional<String> clientId() {
        return basicCredentials().map(credentials -> credentials[0]).or(() -> Optional.ofNullable(form.get("client_id")));
    }

    /** The client secret, from the Basic header or else the form. */
    public Optional<String> clientSecret() {
        return basicCredentials().map(credentials -> credentials[1])
                .or(() -> Optional.ofNullable(form.get("client_secret")));
    }

    /** Whether the client authenticated with an {@code Authorization: Basic} header. */
    public boolean basicAuthentication() {
        return basicCredentials().isPresent();
    }

    /** Id and secret of a Basic header, each form-decoded first as RFC 6749 (2.3.1) has clients encode them. */
    private Optional<String[]> basicCredentials() {
        return authorization.filter(header -> header.regionMatches(true, 0, "Basic ", 0, 6)).map(header -> {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            String[] idAndSecret = decoded.split(":", 2);
            return new String[] {URLDecoder.decode(idAndSecret[0], StandardCharsets.UTF_8),
                    idAndSecret.length > 1 ? URLDecoder.decode(idAndSecret[1], StandardCharsets.UTF_8) : ""};
        });
    }
}
