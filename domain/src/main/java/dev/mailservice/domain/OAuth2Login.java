package dev.mailservice.domain;

import java.net.URI;
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

    /** The kind's name in the stored configuration: {@code microsoft}, {@code google}, {@code refreshToken}. */
    String kind();

    /** The endpoint a token is asked for at. */
    URI tokenEndpoint();

    /**
     * Whether {@code other} asks the same endpoint for the same client: only then may a secret
     * stored with this login be kept for {@code other}, so that no one can send a stored secret to
     * an endpoint or a client of their choosing.
     */
    default boolean sameEndpointAndClient(OAuth2Login other) {
        return other != null && kind().equals(other.kind()) && tokenEndpoint().equals(other.tokenEndpoint())
                && clientIdentity().equals(other.clientIdentity());
    }

    /** Who asks for the token: the client id, or the service account's e-mail. */
    String clientIdentity();

    /**
     * Microsoft Entra ID's client-credentials grant, for Exchange Online's {@code SMTP.SendAsApp}.
     *
     * @param authority    the authority's base, {@link #PUBLIC_CLOUD} unless a sovereign cloud or a
     *                     test says otherwise; the token endpoint is {@code <authority>/<tenantId>/oauth2/v2.0/token}
     * @param tenantId     the directory (tenant) id or one of its domain names
     * @param clientId     the application (client) id
     * @param clientSecret the application's secret
     */
    record Microsoft(URI authority, String tenantId, String clientId, Password clientSecret) implements OAuth2Login {

        public static final String KIND_NAME = "microsoft";
        public static final URI PUBLIC_CLOUD = URI.create("https://login.microsoftonline.com");
        /** The scope that gives Exchange Online's permissions, SMTP sending among them. */
        public static final String SCOPE = "https://outlook.office365.com/.default";

        private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,253}");

        public Microsoft {
            requireHttps(authority, "authority");
            if (tenantId == null || !TENANT.matcher(tenantId).matches()) {
                throw refusal("tenantId", "must be a directory id or a domain name (letters, digits, '.' and '-')");
            }
            requireText(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
        }

        @Override
        public String kind() {
            return KIND_NAME;
        }

        @Override
        public URI tokenEndpoint() {
            return URI.create(authority.toString().replaceAll("/+$", "") + "/" + tenantId + "/oauth2/v2.0/token");
        }

        @Override
        public String clientIdentity() {
            return clientId;
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
            } catch (IllegalArgumentException e) {
                throw refusal("clientEmail", e.getMessage());
            }
            Objects.requireNonNull(privateKey, "privateKey");
            if (!privateKey.reveal().contains("PRIVATE KEY")) {
                throw refusal("privateKey", "must be a PEM private key, as the service account's key file holds it");
            }
            requireHttps(tokenUri, "tokenUri");
        }

        @Override
        public String kind() {
            return KIND_NAME;
        }

        @Override
        public URI tokenEndpoint() {
            return tokenUri;
        }

        @Override
        public String clientIdentity() {
            return clientEmail;
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
            Objects.requireNonNull(refreshToken, "refreshToken");
            Objects.requireNonNull(scope, "scope");
            scope.ifPresent(value -> requireText(value, "scope"));
        }

        /** The same login with the refresh token the endpoint answered instead of this one. */
        public RefreshToken withRefreshToken(Password replacement) {
            return new RefreshToken(tokenUrl, clientId, clientSecret, replacement, scope);
        }

        @Override
        public String kind() {
            return KIND_NAME;
        }

        @Override
        public URI tokenEndpoint() {
            return tokenUrl;
        }

        @Override
        public String clientIdentity() {
            return clientId;
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
