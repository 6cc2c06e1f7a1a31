package dev.mailservice.application.service;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.ServiceMetrics.TokenOutcome;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.Backoff;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The access tokens of one OAuth 2.0 login, as the transport of a configuration logs in with them:
 * asked for when the configuration is applied, cached and shared by all its connections, and
 * renewed in the background ahead of expiry, so that a send never waits for the endpoint while the
 * cached token is good.
 *
 * <ul>
 *   <li>One request at a time: a login that finds no valid token waits for the request under way
 *       (or makes it), however many wait. No lock is held while the endpoint is asked: the status,
 *       a reload and a send with a valid token never wait for it.</li>
 *   <li>Renewal starts when three quarters of a token's lifetime have passed; a failed renewal is
 *       tried again, with growing delays, while the token is still valid.</li>
 *   <li>With no valid token, a failed request is not repeated for every send: until its retry is
 *       due, or while it is under way, a login fails at once with the endpoint's answer (a send does
 *       not wait for the SMTP timeout, nor for an endpoint that does not answer, to learn it).</li>
 *   <li>A token the server refused although it was thought valid (revoked) is replaced once; one
 *       that replaced a refused token and is refused too is not replaced again, so a server that
 *       takes no token of this login does not set every send asking for one.</li>
 *   <li>A new refresh token given in place of the one asked with (rotation) is used from then on,
 *       and handed to the {@link Successors} to be stored; every request asks with the latest they
 *       know, whoever was given it.</li>
 * </ul>
 */
final class OAuth2Tokens implements SmtpCredentials, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(OAuth2Tokens.class.getName());

    /** The share of a token's lifetime after which it is renewed. */
    private static final double RENEW_AT = 0.75;
    /**
     * A token this close to its expiry is not used, a tenth of its lifetime at most: a login takes a
     * moment, and clocks differ a little.
     */
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(1);
    /**
     * How long a token that replaced a refused one, and was refused too, is not replaced again: the
     * server takes no token of this login (a consent or a permission missing). Once it is granted,
     * sends work again within this time, at one token request each time it passes meanwhile.
     */
    static final Duration REFUSED_AGAIN_PAUSE = Duration.ofMinutes(1);
    /** How long after a failed request the next one is made, doubling while they fail. */
    static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    /** A token: given out until {@code usableUntil}, a margin before it expires; replaced from {@code renewAt}. */
    private record Token(Password value, Instant expiresAt, Instant usableUntil, Instant renewAt) {

        static Token issued(Password value, Instant askedAt, Duration lifetime) {
            Duration margin = lifetime.dividedBy(10).compareTo(EXPIRY_MARGIN) < 0 ? lifetime.dividedBy(10) : EXPIRY_MARGIN;
            return new Token(value, askedAt.plus(lifetime), askedAt.plus(lifetime).minus(margin),
                    askedAt.plusMillis((long) (lifetime.toMillis() * RENEW_AT)));
        }
    }

    private final OAuth2Login appliedAs;
    private final String username;
    private final TokenEndpoint endpoint;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final ServiceMetrics metrics;
    private final Successors successors;
    /** A request of the tokens before these, with the same refresh token, that these wait for before asking. */
    private volatile CompletableFuture<Void> predecessor = CompletableFuture.completedFuture(null);

    /** Guards the fields below; never held while the endpoint is asked. */
    private final Object lock = new Object();
    private OAuth2Login login;
    // Also read without the lock, so that a valid token is had at no cost.
    private volatile Token token;
    private Instant lastRefresh;
    private SmtpStatus.TokenError lastError;
    private Instant nextAttempt = Instant.MIN;
    private int failedInARow;
    /** The request under way, done when it is; null when none is. */
    private CompletableFuture<Void> inFlight;
    /**
     * A token had because the server refused the one before it, and when: not replaced again when
     * refused too, for {@link #REFUSED_AGAIN_PAUSE}.
     */
    private Password replacedRefused;
    private Instant replacedRefusedAt = Instant.MIN;
    private ScheduledFuture<?> renewal;
    private boolean closed;

    /**
     * Where the refresh tokens the endpoint gives in place of others are kept ({@link SmtpLogins}),
     * for every login's tokens: a new refresh token spends the one it replaces, whichever tokens asked.
     */
    interface Successors {

        /**
         * The endpoint gave a new refresh token: {@code replacement} is {@code replaced}'s login as
         * it is now. Called without a lock held.
         */
        void rotated(OAuth2Login replaced, OAuth2Login replacement);

        /** {@code login} with the latest refresh token given in place of its own, when one was. */
        OAuth2Login latest(OAuth2Login login);
    }

    /**
     * @param appliedAs  the login of the applied configuration
     * @param login      the login to ask with: {@code appliedAs}, or the same with a refresh token
     *                   the endpoint gave since
     * @param successors told of each new refresh token, and asked before each request for one given
     *                   in place of the login's own (to other tokens, or to a verification)
     */
    OAuth2Tokens(OAuth2Login appliedAs, OAuth2Login login, String username, TokenEndpoint endpoint, Clock clock,
            ScheduledExecutorService scheduler, ServiceMetrics metrics, Successors successors) {
        this.appliedAs = Objects.requireNonNull(appliedAs, "appliedAs");
        this.login = Objects.requireNonNull(login, "login");
        this.username = Objects.requireNonNull(username, "username");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.successors = Objects.requireNonNull(successors, "successors");
    }

    /** Asks for the first token in the background, as the configuration is applied. */
    void start() {
        synchronized (lock) {
            schedule(Duration.ZERO);
        }
    }

    OAuth2Login appliedAs() {
        return appliedAs;
    }

    /** The login asked with now: {@link #appliedAs()}, its refresh token the latest given. */
    OAuth2Login login() {
        synchronized (lock) {
            return login;
        }
    }

    /**
     * Whether these tokens go on serving {@code other} for {@code otherUsername}: the login they
     * were made for, or the same with another refresh token (the one the endpoint gave here, or
     * another replica, stored back), which is then asked with from now on, its failures forgotten.
     * Taking over a stored refresh token asks for nothing while the cached token is good: replicas
     * that each store what the endpoint gives them would otherwise set each other asking.
     */
    boolean takeOver(OAuth2Login other, String otherUsername) {
        synchronized (lock) {
            if (!username.equals(otherUsername)) {
                return false;
            }
            if (appliedAs.equals(other) || login.equals(other)) {
                return true;
            }
            if (!(login instanceof OAuth2Login.RefreshToken current) || !current.sameButRefreshToken(other)) {
                return false;
            }
            login = other;
            lastError = null;
            failedInARow = 0;
            nextAttempt = Instant.MIN;
            if (!valid(token)) {
                schedule(Duration.ZERO);
            }
            return true;
        }
    }

    @Override
    public boolean accessToken() {
        return true;
    }

    @Override
    public Password secret(Duration within) {
        Token current = token;
        return valid(current) ? current.value() : obtain(null, within);
    }

    @Override
    public Optional<Password> afterRefusal(Password refused, Duration within) {
        synchronized (lock) {
            if (refused.equals(replacedRefused) && clock.instant().isBefore(replacedRefusedAt.plus(REFUSED_AGAIN_PAUSE))) {
                return Optional.empty();
            }
            Token current = token;
            if (current != null && current.value().equals(refused)) {
                LOG.log(Level.WARNING, "The SMTP server refused an access token of {0} that was valid until {1}; "
                        + "asking for a new one", endpoint(), current.expiresAt());
                token = null;
                nextAttempt = Instant.MIN;
            }
        }
        Password replacement = obtain(refused, within);
        synchronized (lock) {
            replacedRefused = replacement;
            replacedRefusedAt = clock.instant();
        }
        return Optional.of(replacement);
    }

    /** What the status shows of these tokens. */
    SmtpStatus.OAuth2Token state() {
        synchronized (lock) {
            Token current = token;
            return new SmtpStatus.OAuth2Token(login.kind(), endpoint().toString(),
                    Optional.ofNullable(current).map(Token::expiresAt), Optional.ofNullable(lastRefresh),
                    Optional.ofNullable(lastError));
        }
    }

    /**
     * Waits up to {@code limit} for a request under way to end, its new refresh token handed over: a
     * request may outlive the send that asked for it.
     */
    void awaitRequest(Duration limit) {
        CompletableFuture<Void> request;
        synchronized (lock) {
            request = inFlight;
        }
        if (request == null) {
            return;
        }
        try {
            request.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException given) {
            // Given up on: the stop goes on.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops renewing; a token still cached serves the sends still under way. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (renewal != null) {
                renewal.cancel(false);
            }
        }
    }

    /**
     * A valid token other than {@code notThis}: the cached one, or the one a request gives, made now
     * or under way, waited for {@code within} at most. Fails at once while a failure is too recent to
     * ask again, and when a request is under way after failures (an endpoint that does not answer is
     * not waited for by every send).
     */
    private Password obtain(Password notThis, Duration within) {
        CompletableFuture<Void> request;
        boolean asks = false;
        synchronized (lock) {
            Token current = token;
            if (valid(current) && !current.value().equals(notThis)) {
                return current.value();
            }
            if (inFlight == null) {
                if (lastError != null && clock.instant().isBefore(nextAttempt)) {
                    throw unavailable();
                }
                inFlight = new CompletableFuture<>();
                asks = true;
            } else if (lastError != null) {
                throw unavailable();
            }
            request = inFlight;
        }
        if (asks) {
            startRequest();
        }
        try {
            request.get(Math.max(0, within.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException late) {
            throw DeliveryFailed.temporary("No OAuth 2.0 access token from " + endpoint() + " within the send's "
                    + "deadline: the request is still under way", 1, RETRY.first(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryFailed.temporary("Interrupted while waiting for an OAuth 2.0 access token from " + endpoint(),
                    1, RETRY.first(), null);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a token request completes normally, whatever the endpoint did", e);
        }
        synchronized (lock) {
            Token fresh = token;
            if (valid(fresh) && !fresh.value().equals(notThis)) {
                return fresh.value();
            }
            throw unavailable();
        }
    }

    /**
     * Runs {@link #request} on a thread of its own: when the time of the send that asked is up, the
     * request goes on for the sends after it. A thread that cannot be started ends the request as a
     * failure, or it would stay under way for good.
     */
    private void startRequest() {
        try {
            Thread.ofVirtual().name("oauth2-token-request").start(this::request);
        } catch (RuntimeException notStarted) {
            synchronized (lock) {
                failed(TokenOutcome.UNAVAILABLE, "the request could not be started (" + notStarted + ")");
            }
            takeInFlight().complete(null);
        }
    }

    /** The request under way, which is not any more: for the one thread that ends it. */
    private CompletableFuture<Void> takeInFlight() {
        synchronized (lock) {
            CompletableFuture<Void> done = inFlight;
            inFlight = null;
            return done;
        }
    }

    /**
     * Has the first request of these tokens wait for {@code request}, one of the tokens before them
     * made with the same refresh token: the refresh token it may be given in place of that one is
     * then asked with, and the spent one never is.
     */
    void askAfter(CompletableFuture<Void> request) {
        predecessor = request;
    }

    /**
     * The request under way, done when it is; else the one these wait for before asking, if it is
     * not done yet; else a done one.
     */
    CompletableFuture<Void> requestUnderWay() {
        synchronized (lock) {
            return inFlight != null ? inFlight : predecessor;
        }
    }

    /** Asks the endpoint, without the lock; for the one thread that set {@link #inFlight}. */
    private void request() {
        OAuth2Login asked = loginToAsk();
        Instant askedAt = clock.instant();
        Optional<OAuth2Login> next = Optional.empty();
        TokenOutcome outcome = TokenOutcome.UNAVAILABLE;
        try {
            TokenEndpoint.Answer answer = ask(asked);
            synchronized (lock) {
                outcome = switch (answer) {
                    case TokenEndpoint.Issued issued when usable(issued, askedAt) -> {
                        token = Token.issued(issued.accessToken(), askedAt, issued.lifetime());
                        lastRefresh = askedAt;
                        lastError = null;
                        failedInARow = 0;
                        nextAttempt = Instant.MIN;
                        next = issued.newRefreshToken().flatMap(refreshToken -> rotate(asked, refreshToken));
                        Duration untilRenewal = Duration.between(clock.instant(), token.renewAt());
                        schedule(untilRenewal.compareTo(RETRY.first()) < 0 ? RETRY.first() : untilRenewal);
                        yield TokenOutcome.ISSUED;
                    }
                    case TokenEndpoint.Issued tooShort -> failed(TokenOutcome.UNAVAILABLE, "gave a token valid for "
                            + tooShort.lifetime().toMillis() + " ms, gone by the time it came");
                    case TokenEndpoint.Refused refused -> failed(TokenOutcome.REFUSED, refused.said());
                    case TokenEndpoint.Unavailable unavailable -> failed(TokenOutcome.UNAVAILABLE, unavailable.said());
                };
            }
        } finally {
            CompletableFuture<Void> done = takeInFlight();
            metrics.tokenRequested(asked.kind(), outcome);
            Optional<OAuth2Login> rotation = next;
            try {
                // Handed over to be stored before the logins that waited go on, as when a login asked itself.
                rotation.ifPresent(replacement -> successors.rotated(asked, replacement));
            } finally {
                done.complete(null);
            }
        }
    }

    /**
     * The login to ask with now: once the request of the tokens before these (if any) has ended,
     * with the latest refresh token given in place of its own, by any request or verification.
     */
    private OAuth2Login loginToAsk() {
        // It always ends, its request bounded by the endpoint's own limits (a background renewal does not
        // wait here, on the renewals' thread: renewInBackground puts it off until then).
        predecessor.exceptionally(failure -> null).join();
        OAuth2Login current;
        synchronized (lock) {
            current = login;
        }
        OAuth2Login latest = successors.latest(current); // outside the lock: the successors have their own
        synchronized (lock) {
            if (login.equals(current)) {
                login = latest;
            }
            return login;
        }
    }

    /** The endpoint's answer; what the adapter should never throw becomes an unavailable endpoint, not a lost renewal. */
    private TokenEndpoint.Answer ask(OAuth2Login asked) {
        try {
            return endpoint.request(asked, username);
        } catch (RuntimeException unexpected) {
            LOG.log(Level.ERROR, "Asking " + endpoint() + " for an access token failed unexpectedly", unexpected);
            return new TokenEndpoint.Unavailable("the request failed unexpectedly (" + unexpected.getClass().getSimpleName()
                    + "; see the log)");
        }
    }

    /** Holding the lock: notes a failed request, and when to ask again. */
    private TokenOutcome failed(TokenOutcome outcome, String said) {
        String message = "No OAuth 2.0 access token from " + endpoint() + ": " + said;
        lastError = new SmtpStatus.TokenError(clock.instant(), message, outcome == TokenOutcome.REFUSED);
        Duration wait = RETRY.delay(failedInARow++);
        nextAttempt = clock.instant().plus(wait);
        LOG.log(Level.WARNING, "{0}; asking again in {1} ms at the earliest", message, wait.toMillis());
        // An endpoint that is down is asked again in the background, and so is one that refused while the
        // token is still good; a refusal with none good waits for the next login, not to repeat itself all day.
        if (outcome == TokenOutcome.UNAVAILABLE || valid(token)) {
            schedule(wait);
        }
        return outcome;
    }

    /** Holding the lock: the login with {@code refreshToken}, when it is a new one, used from now on. */
    private Optional<OAuth2Login> rotate(OAuth2Login asked, Password refreshToken) {
        if (asked instanceof OAuth2Login.RefreshToken withRefreshToken && !withRefreshToken.refreshToken().equals(refreshToken)) {
            OAuth2Login replacement = withRefreshToken.withRefreshToken(refreshToken);
            login = replacement;
            return Optional.of(replacement);
        }
        return Optional.empty();
    }

    /** Holding the lock: the next background request, {@code delay} from now, in place of any scheduled. */
    private void schedule(Duration delay) {
        if (closed) {
            return;
        }
        if (renewal != null) {
            renewal.cancel(false);
        }
        try {
            renewal = scheduler.schedule(this::renewInBackground, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // The service is stopping: nothing more is renewed.
        }
    }

    /**
     * Asks for a token, unless the one cached is good and not due for renewal yet (a login asked for
     * it meanwhile, or the scheduler woke a moment early by the clock), a failure is too recent, or a
     * request is under way (which schedules the next when it ends).
     */
    private void renewInBackground() {
        synchronized (lock) {
            Token current = token;
            Instant now = clock.instant();
            if (closed || inFlight != null) {
                return;
            }
            if (valid(current) && now.isBefore(current.renewAt())) {
                schedule(Duration.between(now, current.renewAt()));
                return;
            }
            if (lastError != null && now.isBefore(nextAttempt)) {
                schedule(Duration.between(now, nextAttempt));
                return;
            }
            if (!predecessor.isDone()) {
                // Asked once the request these wait for has ended, rather than holding this thread, which
                // renews every login and stores their refresh tokens, until then.
                predecessor.whenComplete((ended, failure) -> {
                    synchronized (lock) {
                        schedule(Duration.ZERO);
                    }
                });
                return;
            }
            inFlight = new CompletableFuture<>();
        }
        request();
    }

    private boolean usable(TokenEndpoint.Issued issued, Instant askedAt) {
        return valid(Token.issued(issued.accessToken(), askedAt, issued.lifetime()));
    }

    private boolean valid(Token candidate) {
        return candidate != null && clock.instant().isBefore(candidate.usableUntil());
    }

    private URI endpoint() {
        return endpoint.endpointOf(appliedAs);
    }

    /**
     * Holding the lock: a send's failure for want of a token, for good when the endpoint refused, for
     * now when it could not be asked (or a request is still under way).
     */
    private DeliveryFailed unavailable() {
        SmtpStatus.TokenError error = lastError;
        String message = error != null ? error.message()
                : "No OAuth 2.0 access token from " + endpoint() + " yet: a request is under way";
        if (error != null && error.refused()) {
            return DeliveryFailed.refused(message, 1, null);
        }
        Duration retryAfter = Duration.between(clock.instant(), nextAttempt);
        return DeliveryFailed.temporary(message, 1, retryAfter.isNegative() ? Duration.ZERO : retryAfter, null);
    }
}
