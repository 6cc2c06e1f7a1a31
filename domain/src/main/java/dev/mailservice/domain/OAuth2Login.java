package dev.mailservice.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the service logs in to an SMTP server with OAuth 2.0 (SASL XOAUTH2) instead of a password:
 * which token endpoint gives it an access token, for which client, with which grant. One of three
 * kinds, each a record; a refusal names the field as {@code oauth2.<name>}, never its value.
 *
 * <p>Secrets ({@code clientSecret}, {@code privateKey}, {@code refreshToken}) are held as
 * {@link Password}s, which never print. Token endpoints are HTTPS only: a token request carries
 * a secret.
 */
public sealed interface OAuth2Login {

    /** The stored object's name and its {@code kind} field, as refusals name them. */
    String FIELD = "oauth2";
    String KIND = "kind";

    /** The kinds' names, as a stored configuration gives them. */
    List<String> KINDS = List.of(Microsoft.KIND_NAME, Google.KIND_NAME, RefreshToken.KIND_NAME);

    /** Each kind's fields and secrets by name, {@code kind} first: all a stored object of the kind may hold. */
    Map<String, List<String>> NAMES = Map.of(
            Microsoft.KIND_NAME, List.of(KIND, "tenantId", "clientId", "clientSecret"),
            Google.KIND_NAME, List.of(KIND, "clientEmail", "privateKey", "tokenUri"),
            RefreshToken.KIND_NAME, List.of(KIND, "tokenUrl", "clientId", "clientSecret", "refreshToken", "scope"));

    /** The kind's name in the stored configuration: {@code microsoft}, {@code google}, {@code refreshToken}. */
    String kind();

    /**
     * Where the token is asked for, as stored: the tenant for Microsoft (its endpoint is under the
     * authority the service is set to), the token endpoint's URL for the others.
     */
    String endpoint();

    /** Who asks for the token: the client id, or the service account's e-mail. */
    String clientIdentity();

    /** The OAuth 2.0 grant type the token is asked with, as the request names it. */
    String grantType();

    /** The scope asked for, when the kind names one. */
    Optional<String> scopeAsked();

    /** The fields that are no secret, by the names the stored object gives them, {@code kind} first. */
    Map<String, String> fields();

    /** The secrets, by the names the stored object gives them. */
    Map<String, Password> secrets();

    /**
     * Whether {@code other} asks the same endpoint for the same client: only then may a secret
     * stored with this login be kept for {@code other}, so that no one can send a stored secret to
     * an endpoint or a client of their choosing.
     */
    default boolean sameEndpointAndClient(OAuth2Login other) {
        return other != null && kind().equals(other.kind()) && endpoint().equals(other.endpoint())
                && clientIdentity().equals(other.clientIdentity());
    }

    /**
     * Builds a login from plain values, as they come from a form or a stored object: the kind's
     * fields and secrets by name, a null or blank value meaning "not given".
     *
     * @throws InvalidSmtpConfigurationException naming the field that breaks a rule, or {@code oauth2.kind}
     */
    static OAuth2Login of(Map<String, String> values) {
        Map<String, String> given = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            if (value != null && !value.isBlank()) {
                given.put(name, value);
            }
        });
        String kind = given.get(KIND);
        return switch (kind) {
            case Microsoft.KIND_NAME -> new Microsoft(given.get("tenantId"), given.get("clientId"),
                    secret(given, "clientSecret"));
            case Google.KIND_NAME -> new Google(given.get("clientEmail"), secret(given, "privateKey"),
                    Optional.ofNullable(given.get("tokenUri")).map(uri -> url(uri, "tokenUri"))
                            .orElse(Google.DEFAULT_TOKEN_URI));
            case RefreshToken.KIND_NAME -> new RefreshToken(url(given.get("tokenUrl"), "tokenUrl"),
                    given.get("clientId"), Optional.ofNullable(given.get("clientSecret")).map(Password::of),
                    secret(given, "refreshToken"), Optional.ofNullable(given.get("scope")));
            case null -> throw refusal(KIND, "is required: one of " + String.join(", ", KINDS));
            default -> throw refusal(KIND, "must be one of " + String.join(", ", KINDS));
        };
    }

    /**
     * Microsoft Entra ID's client-credentials grant, for Exchange Online's {@code SMTP.SendAsApp}.
     * The token endpoint is {@code <authority>/<tenantId>/oauth2/v2.0/token}, the authority being
     * the service's setting ({@link #PUBLIC_CLOUD} unless a sovereign cloud says otherwise).
     *
     * @param tenantId     the directory (tenant) id or one of its domain names
     * @param clientId     the application (client) id
     * @param clientSecret the application's secret
     */
    record Microsoft(String tenantId, String clientId, Password clientSecret) implements OAuth2Login {

        public static final String KIND_NAME = "microsoft";
        public static final URI PUBLIC_CLOUD = URI.create("https://login.microsoftonline.com");
        /** The scope that gives Exchange Online's permissions, SMTP sending among them. */
        public static final String SCOPE = "https://outlook.office365.com/.default";

        private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,253}");

        public Microsoft {
            if (tenantId == null || !TENANT.matcher(tenantId).matches()) {
                throw refusal("tenantId", "must be a directory id or a domain name (letters, digits, '.' and '-')");
            }
            requireText(clientId, "clientId");
            if (clientSecret == null) {
                throw refusal("clientSecret", "is required");
            }
        }

        /** The token endpoint under {@code authority} (its trailing slashes dropped). */
        public URI tokenEndpoint(URI authority) {
            return URI.create(checkedAuthority(authority).toString().replaceAll("/+$", "") + "/" + tenantId
                    + "/oauth2/v2.0/token");
        }

        /**
         * {@code authority}, checked to be an https URL with a host and no user, query or fragment.
         *
         * @throws InvalidSmtpConfigurationException naming {@code oauth2.authority} otherwise
         */
        public static URI checkedAuthority(URI authority) {
            requireHttps(authority, "authority");
            return authority;
        }

        @Override
        public String kind() {
            return KIND_NAME;
        }

        @Override
        public String endpoint() {
            return tenantId;
        }

        @Override
        public String grantType() {
            return "client_credentials";
        }

        @Override
        public Optional<String> scopeAsked() {
            return Optional.of(SCOPE);
        }

        @Override
        public String clientIdentity() {
            return clientId;
        }

        @Override
        public Map<String, String> fields() {
            return ordered(KIND, KIND_NAME, "tenantId", tenantId, "clientId", clientId);
        }

        @Override
        public Map<String, Password> secrets() {
            return Map.of("clientSecret", clientSecret);
        }
    }

    /**
     * Google's JWT-bearer grant (RFC 7523) for a service account with domain-wide delegation: an
     * assertion signed with the account's key, on behalf of the mailbox that sends.
     *
     * @param clientEmail the service account's e-mail (the assertion's issuer)
     * @param privateKey  the account's private key, PEM (PKCS #8), as in its JSON key file
     * @param tokenUri    the token endpoint, {@link #DEFAULT_TOKEN_URI} unless the key file says otherwise
     */
    record Google(String clientEmail, Password privateKey, URI tokenUri) implements OAuth2Login {

        public static final String KIND_NAME = "google";
        public static final URI DEFAULT_TOKEN_URI = URI.create("https://oauth2.googleapis.com/token");
        /** The scope of full mail access, which SMTP sending needs. */
        public static final String SCOPE = "https://mail.google.com/";

        public Google {
            try {
                new EmailAddress(clientEmail);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw refusal("clientEmail", "must be the service account's e-mail address, as its key file gives it");
            }
            if (privateKey == null || !privateKey.reveal().contains("PRIVATE KEY")) {
                throw refusal("privateKey", "must be a PEM private key, as the service account's key file holds it");
            }
            requireHttps(tokenUri, "tokenUri");
        }

        @Override
        public String kind() {
            return KIND_NAME;
        }

        @Override
        public String endpoint() {
            return tokenUri.toString();
        }

        @Override
        public String grantType() {
            return "urn:ietf:params:oauth:grant-type:jwt-bearer";
        }

        @Override
        public Optional<String> scopeAsked() {
            return Optional.of(SCOPE);
        }

        @Override
        public String clientIdentity() {
            return clientEmail;
        }

        @Override
        public Map<String, String> fields() {
            return ordered(KIND, KIND_NAME, "clientEmail", clientEmail, "tokenUri", tokenUri.toString());
        }

        @Override
        public Map<String, Password> secrets() {
            return Map.of("privateKey", privateKey);
        }
    }

    /**
     * The refresh-token grant, for any provider: a refresh token obtained once by consent, and
     * replaced whenever the endpoint answers with a new one.
     *
     * @param tokenUrl     the token endpoint
     * @param clientId     the client the refresh token was issued to
     * @param clientSecret the client's secret, for a confidential client
     * @param refreshToken the refresh token
     * @param scope        the scope to ask for, when the provider needs one named
     */
    record RefreshToken(URI tokenUrl, String clientId, Optional<Password> clientSecret, Password refreshToken,
            Optional<String> scope) implements OAuth2Login {

        public static final String KIND_NAME = "refreshToken";

        public RefreshToken {
            requireHttps(tokenUrl, "tokenUrl");
            requireText(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            if (refreshToken == null) {
                throw refusal("refreshToken", "is required");
            }
            Objects.requireNonNull(scope, "scope");
            scope.ifPresent(value -> requireText(value, "scope"));
        }

        /** The same login with the refresh token the endpoint answered instead of this one. */
        public RefreshToken withRefreshToken(Password replacement) {
            return new RefreshToken(tokenUrl, clientId, clientSecret, replacement, scope);
        }

        /** Whether {@code other} is this login with another refresh token (one the endpoint gave since, say). */
        public boolean sameButRefreshToken(OAuth2Login other) {
            return other instanceof RefreshToken that && withRefreshToken(that.refreshToken).equals(that);
        }

        @Override
        public String kind() {
            return KIND_NAME;
        }

        @Override
        public String endpoint() {
            return tokenUrl.toString();
        }

        @Override
        public String grantType() {
            return "refresh_token";
        }

        @Override
        public Optional<String> scopeAsked() {
            return scope;
        }

        @Override
        public String clientIdentity() {
            return clientId;
        }

        @Override
        public Map<String, String> fields() {
            Map<String, String> fields = ordered(KIND, KIND_NAME, "tokenUrl", tokenUrl.toString(), "clientId", clientId);
            scope.ifPresent(value -> fields.put("scope", value));
            return fields;
        }

        @Override
        public Map<String, Password> secrets() {
            Map<String, Password> secrets = new LinkedHashMap<>();
            clientSecret.ifPresent(secret -> secrets.put("clientSecret", secret));
            secrets.put("refreshToken", refreshToken);
            return secrets;
        }
    }

    private static Map<String, String> ordered(String... namesAndValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }

    private static Password secret(Map<String, String> given, String name) {
        String value = given.get(name);
        if (value == null) {
            throw refusal(name, "is required");
        }
        return Password.of(value);
    }

    private static URI url(String value, String name) {
        if (value == null) {
            throw refusal(name, "is required");
        }
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw refusal(name, "must be an https URL");
        }
    }

    private static void requireHttps(URI uri, String name) {
        if (uri == null || !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw refusal(name, "must be an https URL with a host, and no user, query or fragment");
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw refusal(name, "is required");
        }
        if (value.codePoints().anyMatch(Character::isISOControl)) {
            throw refusal(name, "must not contain control characters");
        }
    }

    private static InvalidSmtpConfigurationException refusal(String name, String problem) {
        return new InvalidSmtpConfigurationException(FIELD + "." + name, problem);
    }
}
