package dev.mailservice.adapters.mail.oauth2;

import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.JWTBearerGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.OAuth2Login;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSocketFactory;

/**
 * The {@link TokenEndpoint} on the Nimbus OAuth 2.0 SDK ({@code com.nimbusds:oauth2-oidc-sdk},
 * with {@code nimbus-jose-jwt}): one HTTPS POST a request, its answer read as RFC 6749 says.
 *
 * <p>Why Nimbus: the service prefers a maintained library to code of its own for protocols, and
 * Nimbus is the one Java's OAuth clients build on (Spring Security's among them); it is released
 * often. It writes the grants' forms and the client authentication, signs the JWT-bearer
 * assertion (its JOSE library) and reads token answers, leniently where endpoints differ; this
 * class only chooses what to send and what an answer means.
 *
 * <p>What each kind of login sends:
 * <ul>
 *   <li>{@code microsoft}: to {@code <authority>/<tenantId>/oauth2/v2.0/token} (the authority a
 *       service setting), {@code grant_type=client_credentials} and {@code
 *       scope=https://outlook.office365.com/.default}, the client id and secret in an {@code
 *       Authorization: Basic} header (client_secret_basic: Entra ID takes it as it takes
 *       client_secret_post, and RFC 6749 makes it the one every endpoint must take).</li>
 *   <li>{@code google}: to {@code tokenUri}, {@code
 *       grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer} and {@code assertion}, a JWT
 *       signed RS256 with the service account's key: {@code iss} the account's e-mail, {@code sub}
 *       the mailbox, {@code aud} the token URI, {@code scope https://mail.google.com/}, {@code iat}
 *       now and {@code exp} an hour later ({@link GoogleAssertion}). No client authentication: the
 *       signature is the credential.</li>
 *   <li>{@code refreshToken}: to {@code tokenUrl}, {@code grant_type=refresh_token}, the {@code
 *       refresh_token} and the {@code scope} when one is set; the client id and secret in a Basic
 *       header, or for a public client (no secret) the {@code client_id} in the form.</li>
 * </ul>
 *
 * <p>Every request has the connect and the read timeout, ends once it has taken three times the
 * timeout whatever it is waiting for (an answer trickled a byte at a time never waits for the read
 * timeout), trusts what the service's TLS clients trust, and follows no redirect (it would carry the secret elsewhere). Token endpoints are HTTPS
 * only, as the domain demands of each login and this class of the Microsoft authority.
 *
 * <p>What an answer means ({@link TokenAnswers}): a token with 200; a refusal with an OAuth 2.0
 * error and a 4xx status; the endpoint unavailable otherwise (no connection, no answer in time, a
 * certificate not trusted, a 5xx, a redirect, a body without a token). A Google key that cannot
 * sign is a refusal too ({@code invalid_private_key}), and nothing is sent.
 *
 * <p>No secret leaves in words: not the client secret, the private key, the refresh token, the
 * assertion or an access token. What the endpoint or an exception says goes through a {@link
 * SecretMask} of the request's secrets, which hides them even when the endpoint echoes one in its
 * {@code error_description}. The class logs nothing.
 */
public final class NimbusTokenEndpoint implements TokenEndpoint {

    private final URI microsoftAuthority;
    private final Optional<SSLSocketFactory> tls;
    private final Duration timeout;

    /**
     * @param microsoftAuthority where Microsoft's token endpoints are: {@link
     *                           OAuth2Login.Microsoft#PUBLIC_CLOUD} unless a sovereign cloud's
     * @param tls                the TLS sockets to use, trusting the JDK's authorities and those of
     *                           {@code TLS_CA_FILE}; empty for the JDK's default
     * @param timeout            the most a connection may take to open, and the most the endpoint
     *                           may be silent once it is open; three times this, the most a whole
     *                           request may take
     */
    public NimbusTokenEndpoint(URI microsoftAuthority, Optional<SSLSocketFactory> tls, Duration timeout) {
        OAuth2Login.Microsoft.checkedAuthority(Objects.requireNonNull(microsoftAuthority, "microsoftAuthority"));
        if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the timeout must be positive and under 24 days: " + timeout);
        }
        this.microsoftAuthority = microsoftAuthority;
        this.tls = Objects.requireNonNull(tls, "tls");
        this.timeout = timeout;
    }

    @Override
    public Answer request(OAuth2Login login, String username) {
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(username, "username");
        SecretMask mask = new SecretMask();
        login.secrets().values().forEach(secret -> mask.hide(secret.reveal()));
        TokenRequest request;
        try {
            request = tokenRequest(login, username, mask);
        } catch (GoogleAssertion.UnusableKey e) {
            return new Refused("invalid_private_key", Optional.of("not sent: oauth2.privateKey cannot be used, as "
                    + e.getMessage()));
        }
        try {
            return TokenAnswers.of(send(request), login, mask);
        } catch (TimeoutException e) {
            return new Unavailable("gave no complete answer within " + wholeRequestLimit().toMillis() + " ms");
        } catch (IOException e) {
            return TokenAnswers.failed(e, timeout, mask);
        } catch (RuntimeException e) { // what Nimbus or the JDK did not foresee either: still an answer
            return new Unavailable(mask.apply("the request failed: " + e));
        }
    }

    @Override
    public URI endpointOf(OAuth2Login login) {
        return switch (login) {
            case OAuth2Login.Microsoft microsoft -> microsoft.tokenEndpoint(microsoftAuthority);
            case OAuth2Login.Google google -> google.tokenUri();
            case OAuth2Login.RefreshToken refreshToken -> refreshToken.tokenUrl();
        };
    }

    /** The request for {@code login}'s grant; what it sends besides the login's secrets is added to {@code mask}. */
    private TokenRequest tokenRequest(OAuth2Login login, String username, SecretMask mask)
            throws GoogleAssertion.UnusableKey {
        URI endpoint = endpointOf(login);
        return switch (login) {
            case OAuth2Login.Microsoft microsoft -> new TokenRequest.Builder(endpoint,
                    basic(microsoft.clientId(), microsoft.clientSecret().reveal(), mask), new ClientCredentialsGrant())
                    .scope(new Scope(OAuth2Login.Microsoft.SCOPE))
                    .build();
            case OAuth2Login.Google google -> {
                SignedJWT assertion = GoogleAssertion.signed(google, username, Instant.now());
                mask.hide(assertion.serialize());
                yield new TokenRequest.Builder(endpoint, new JWTBearerGrant(assertion)).build();
            }
            case OAuth2Login.RefreshToken refresh -> {
                RefreshTokenGrant grant = new RefreshTokenGrant(new RefreshToken(refresh.refreshToken().reveal()));
                TokenRequest.Builder builder = refresh.clientSecret()
                        .map(secret -> new TokenRequest.Builder(endpoint, basic(refresh.clientId(), secret.reveal(), mask),
                                grant))
                        .orElseGet(() -> new TokenRequest.Builder(endpoint, new ClientID(refresh.clientId()), grant));
                refresh.scope().ifPresent(scope -> builder.scope(Scope.parse(scope)));
                yield builder.build();
            }
        };
    }

    /** client_secret_basic; the header's encoded credentials are a secret too. */
    private static ClientSecretBasic basic(String clientId, String secret, SecretMask mask) {
        ClientSecretBasic basic = new ClientSecretBasic(new ClientID(clientId), new Secret(secret));
        mask.hide(basic.toHTTPAuthorizationHeader().substring("Basic ".length()));
        return basic;
    }

    /**
     * The endpoint's answer to {@code request}, within {@link #wholeRequestLimit}. The connect and
     * read timeouts bound each wait, and an endpoint that sends a byte now and then would hold a
     * send far past its deadline; so the exchange runs on a virtual thread of its own, which is
     * interrupted at the limit, and an interrupt closes the socket a virtual thread waits on.
     *
     * @throws TimeoutException when the limit came first; the exchange is ended
     */
    private HTTPResponse send(TokenRequest request) throws IOException, TimeoutException {
        HTTPRequest http = request.toHTTPRequest();
        int millis = (int) timeout.toMillis();
        http.setConnectTimeout(millis); // Nimbus's default, 0, would wait for ever
        http.setReadTimeout(millis);
        http.setFollowRedirects(false);
        http.setAccept("application/json");
        tls.ifPresent(http::setSSLSocketFactory);
        FutureTask<HTTPResponse> exchange = new FutureTask<>(http::send);
        Thread.ofVirtual().name("oauth2-token-request").start(exchange);
        try {
            return exchange.get(wholeRequestLimit().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException unforeseen -> throw unforeseen;
                case Error error -> throw error;
                default -> throw new IllegalStateException("HTTPRequest.send threw " + e.getCause().getClass().getName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the token endpoint");
        } finally {
            exchange.cancel(true); // nothing once it is done; else it ends the exchange and its connection
        }
    }

    /**
     * Three timeouts: an endpoint that accepts the connection and stays silent gets a second
     * connection before the request fails (Nimbus asks the JDK's client for the answer again after
     * the first failure, and it connects anew; the tests see two connections), so that two
     * silences and a slow connection fit.
     */
    private Duration wholeRequestLimit() {
        return timeout.multipliedBy(3);
    }
}
