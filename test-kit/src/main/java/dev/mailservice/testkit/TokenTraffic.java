package dev.mailservice.testkit;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;

/**
 * Stands in front of the mock server's own dispatcher: records each token request, gives it the
 * answer a test set for it, refuses a refresh token that was replaced, and tells {@link
 * IssuedTokens} which issuer it is answering. One request at a time, so that the issuer it tells
 * is the one the mock server then asks about.
 */
final class TokenTraffic extends Dispatcher {

    private static final String TOKEN_PATH = "/token";

    private final IssuedTokens tokens;
    private final List<ReceivedTokenRequest> received = new CopyOnWriteArrayList<>();
    private final Queue<Supplier<MockResponse>> canned = new ArrayDeque<>();
    private final Set<String> replacedRefreshTokens = new HashSet<>();
    private Dispatcher mock;
    private boolean rotating;

    TokenTraffic(IssuedTokens tokens) {
        this.tokens = tokens;
    }

    /** The mock server's dispatcher, after each start. */
    synchronized void inFrontOf(Dispatcher mockDispatcher, boolean rotatingRefreshTokens) {
        this.mock = mockDispatcher;
        this.rotating = rotatingRefreshTokens;
    }

    synchronized void answerNext(int requests, Supplier<MockResponse> answer) {
        for (int i = 0; i < requests; i++) {
            canned.add(answer);
        }
    }

    synchronized void forget() {
        received.clear();
        canned.clear();
        replacedRefreshTokens.clear();
    }

    List<ReceivedTokenRequest> received() {
        return List.copyOf(received);
    }

    /**
     * Each answer closes its connection: a client keeps none open that would hold the port when
     * the server stops listening, and makes a new one for each request, as after a stop it must.
     */
    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        return answer(request).setHeader("Connection", "close").setSocketPolicy(SocketPolicy.DISCONNECT_AT_END);
    }

    private synchronized MockResponse answer(RecordedRequest request) throws InterruptedException {
        String path = String.join("/", request.getRequestUrl().pathSegments());
        if (!"POST".equals(request.getMethod()) || !path.endsWith(TOKEN_PATH)) {
            return mock.dispatch(request);
        }
        // As the mock server reads the issuer: the path before its first "/token".
        String issuerId = path.substring(0, path.indexOf(TOKEN_PATH));
        ReceivedTokenRequest seen = new ReceivedTokenRequest(issuerId,
                ReceivedTokenRequest.formOf(request.getBody().clone().readUtf8()),
                Optional.ofNullable(request.getHeader("Authorization")));
        received.add(seen);
        Supplier<MockResponse> cannedAnswer = canned.poll();
        if (cannedAnswer != null) {
            return cannedAnswer.get();
        }
        Optional<String> refreshToken = seen.refreshToken().filter(token -> "refresh_token".equals(seen.grantType()));
        if (refreshToken.filter(replacedRefreshTokens::contains).isPresent()) {
            return oauthError(400, "invalid_grant", "The refresh token was replaced by a newer one (rotation).");
        }
        tokens.answering(issuerId);
        MockResponse answer;
        try {
            answer = mock.dispatch(request);
        } finally {
            tokens.answering(null);
        }
        if (rotating && statusOf(answer) == 200) {
            refreshToken.ifPresent(replacedRefreshTokens::add);
        }
        return answer;
    }

    /**
     * An OAuth 2.0 error answer (RFC 6749, 5.2), its words as given, even those RFC 6749 does not
     * allow there (Entra ID's descriptions have line breaks).
     */
    static MockResponse oauthError(int status, String error, String description) {
        return answer(status, "application/json",
                JSONObjectUtils.toJSONString(Map.of("error", error, "error_description", description)))
                .setHeader("Cache-Control", "no-store");
    }

    /** An answer of {@code status} with {@code body}, of {@code contentType}. */
    static MockResponse answer(int status, String contentType, String body) {
        return new MockResponse().setResponseCode(status).setHeader("Content-Type", contentType).setBody(body);
    }

    private static int statusOf(MockResponse response) {
        String[] statusLine = response.getStatus().split(" ", 3); // "HTTP/1.1 200 OK"
        return Integer.parseInt(statusLine[1]);
    }
}
