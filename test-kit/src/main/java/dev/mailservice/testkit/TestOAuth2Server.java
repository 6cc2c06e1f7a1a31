package dev.mailservice.testkit;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.http.Ssl;
import no.nav.security.mock.oauth2.http.SslKeystore;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * A real OAuth 2.0 token endpoint for tests: NAV's mock-oauth2-server, in process, over TLS with a
 * certificate for localhost signed by an authority made for the run ({@link TestCertificates}), on
 * a free loopback port. Register it with {@code @RegisterExtension static final TestOAuth2Server
 * OAUTH = TestOAuth2Server.create();}, or call {@link #start()} and {@link #close()}.
 *
 * <p>Every path is an issuer: issuer {@code id}'s token endpoint is {@link #tokenUrl(String)
 * https://localhost:<port>/<id>/token}. Microsoft's endpoint is {@code
 * <authority>/<tenant>/oauth2/v2.0/token}: with {@link #authority()} as the authority, the issuer
 * is {@code <tenant>/oauth2/v2.0}.
 *
 * <p>It issues access tokens, JWTs signed RS256 with a key of the issuer's, for the
 * client-credentials, JWT-bearer (RFC 7523) and refresh-token grants. It checks no client secret
 * and no assertion's signature: a test checks what the client sent ({@link #lastTokenRequest()}).
 * It takes any refresh token. The refresh-token grant needs a client id (or it answers {@code
 * invalid_client}).
 *
 * <p>A test can set the tokens' lifetime, rotate refresh tokens (a replaced one is then refused
 * with {@code invalid_grant}), make the next requests fail with an OAuth error or any answer,
 * stop listening and come back on the same port (with the same keys), count the requests, check
 * tokens as a mail server would ({@link #acceptsAccessToken()}) and revoke the tokens issued so far.
 */
public final class TestOAuth2Server extends TestServer {

    /** The lifetime of the tokens it issues until a test sets another. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private final Optional<Path> givenCertificates;
    /** The issuers' signing keys, kept when the server stops listening and comes back. */
    private final OAuth2TokenProvider keys = new OAuth2TokenProvider();
    private final IssuedTokens tokens = new IssuedTokens(keys, DEFAULT_LIFETIME);
    private final TokenTraffic traffic = new TokenTraffic(tokens);
    private Path directory;
    private Ssl tls;
    private int port;
    private boolean rotating;
    private MockOAuth2Server server; // null while not listening

    private TestOAuth2Server(Optional<Path> certificates) {
        this.givenCertificates = certificates;
    }

    /** A server with an authority and certificate of its own, made when it starts. */
    public static TestOAuth2Server create() {
        return new TestOAuth2Server(Optional.empty());
    }

    /**
     * A server that shows the certificate {@link TestCertificates#create} made in {@code directory},
     * so that the authority there is the one a test's other servers have too.
     */
    public static TestOAuth2Server withCertificates(Path directory) {
        return new TestOAuth2Server(Optional.of(directory));
    }

    /** Makes the certificates (unless given) and listens on a free loopback port. */
    @Override
    public synchronized void start() throws Exception {
        if (givenCertificates.isPresent()) {
            directory = givenCertificates.get();
        } else {
            directory = Files.createTempDirectory("oauth2-test-");
            TestCertificates.create(directory);
        }
        tls = new Ssl(new SslKeystore(TestCertificates.BUNDLE_PASSWORD, TestCertificates.serverKeys(directory,
                TestCertificates.SERVER_CERTIFICATE_FILE, TestCertificates.SERVER_KEY_FILE)));
        // A port of its own choosing, not 0: the server then binds with SO_REUSEADDR, and can bind
        // it again after stopListening() while the connections it closed linger in TIME_WAIT.
        port = FreePorts.pick();
        tokens.issuerBase("https://localhost:" + port);
        listen(port);
    }

    /** Stops listening, and deletes the certificates it made. */
    @Override
    public synchronized void close() throws Exception {
        stopListening();
        if (givenCertificates.isEmpty() && directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /**
     * Stops listening: a client's connection is refused, as with an endpoint that is down, until
     * {@link #listenAgain()}. Tokens issued before are still {@linkplain #acceptsAccessToken() taken}.
     */
    public synchronized void stopListening() {
        if (server != null) {
            server.shutdown();
            server = null;
        }
    }

    /** Listens again on the same port, with the same keys and settings, after {@link #stopListening()}. */
    public synchronized void listenAgain() {
        if (server == null) {
            listen(port);
        }
    }

    /**
     * Back to how it started, for the next test: listening, tokens valid for {@link
     * #DEFAULT_LIFETIME}, no rotation, no answers set for the next requests, no requests remembered. Revoked tokens
     * stay revoked.
     */
    public synchronized void reset() {
        traffic.forget();
        tokens.lifetime(DEFAULT_LIFETIME);
        rotateRefreshTokens(false);
        listenAgain();
    }

    /** {@code https://localhost:<port>}: Microsoft's authority, and the base of every issuer. */
    public URI authority() {
        return URI.create("https://localhost:" + port);
    }

    /** The token endpoint of issuer {@code issuerId}: {@code https://localhost:<port>/<issuerId>/token}. */
    public URI tokenUrl(String issuerId) {
        return URI.create(authority() + "/" + issuerId + "/token");
    }

    /** The {@code iss} of the tokens issuer {@code issuerId} issues. */
    public String issuer(String issuerId) {
        return authority() + "/" + issuerId;
    }

    public int port() {
        return port;
    }

    /** The PEM file of the authority that signed the server's certificate. */
    public Path caFile() {
        return directory.resolve(TestCertificates.CA_FILE);
    }

    /** A TLS context that trusts {@link #caFile()} alone. */
    public SSLContext trustingCaOnly() throws Exception {
        return TestCertificates.trustingOnly(caFile());
    }

    /**
     * How long the tokens issued from now on are valid, in whole seconds. Its {@code expires_in}
     * is counted down to the second: a 3-second token comes with {@code expires_in} 2 or 3.
     */
    public void tokenLifetime(Duration lifetime) {
        tokens.lifetime(lifetime);
    }

    /**
     * Whether each refresh-token grant answers with a new refresh token; the one it replaces is
     * then refused with {@code invalid_grant}. Off, the refresh token sent comes back unchanged.
     */
    public synchronized void rotateRefreshTokens(boolean rotate) {
        if (rotate == rotating) {
            return;
        }
        rotating = rotate;
        if (server != null) { // the mock server reads it when it starts
            stopListening();
            listen(port);
        }
    }

    /**
     * The next {@code requests} token requests are answered with the OAuth 2.0 error {@code error}
     * and {@code description}, as given (HTTP 401 for {@code invalid_client}, 400 for the others),
     * e.g. {@code failNext(1, "invalid_client", "AADSTS7000215: Invalid client secret provided.")}.
     */
    public void failNext(int requests, String error, String description) {
        int status = "invalid_client".equals(error) ? 401 : 400;
        traffic.answerNext(requests, () -> TokenTraffic.oauthError(status, error, description));
    }

    /**
     * The next {@code requests} token requests are answered with HTTP {@code status} and an HTML
     * page, as a proxy or a server in trouble answers (e.g. 503).
     */
    public void answerNext(int requests, int status) {
        answerNext(requests, status, "text/html", "<html><body><h1>" + status + "</h1><p>The test server answers "
                + status + ".</p></body></html>");
    }

    /**
     * The next {@code requests} token requests are answered with HTTP {@code status} and {@code
     * body}, of {@code contentType}, as given: a token answer without {@code expires_in}, say.
     */
    public void answerNext(int requests, int status, String contentType, String body) {
        traffic.answerNext(requests, () -> TokenTraffic.answer(status, contentType, body));
    }

    /** How many token requests it received (failed ones too) since it started or was {@linkplain #reset() reset}. */
    public int tokenRequests() {
        return traffic.received().size();
    }

    /** As {@link #tokenRequests()}, of grant type {@code grantType}, e.g. {@code client_credentials}. */
    public int tokenRequests(String grantType) {
        return (int) traffic.received().stream().filter(request -> request.grantType().equals(grantType)).count();
    }

    /** The token requests it received, oldest first. */
    public List<ReceivedTokenRequest> receivedTokenRequests() {
        return traffic.received();
    }

    /** The last token request it received. */
    public Optional<ReceivedTokenRequest> lastTokenRequest() {
        List<ReceivedTokenRequest> received = traffic.received();
        return received.isEmpty() ? Optional.empty() : Optional.of(received.getLast());
    }

    /**
     * Takes the access tokens it issued, as a mail server that checks them would: signed by the
     * issuer named, not expired (to the second, no clock skew), not revoked. Works while it is
     * not listening too.
     */
    public Predicate<String> acceptsAccessToken() {
        return tokens::accepts;
    }

    /** The tokens issued so far are refused by {@link #acceptsAccessToken()} from now on, as revoked ones. */
    public void revokeIssuedTokens() {
        tokens.revokeAll();
    }

    private void listen(int onPort) {
        MockWebServerWrapper http = new MockWebServerWrapper(tls);
        MockOAuth2Server mock = new MockOAuth2Server(new OAuth2Config(false, null, null, rotating, keys,
                Set.of(tokens), http));
        mock.start(onPort);
        traffic.inFrontOf(http.getMockWebServer().getDispatcher(), rotating);
        http.getMockWebServer().setDispatcher(traffic);
        server = mock;
    }
}
