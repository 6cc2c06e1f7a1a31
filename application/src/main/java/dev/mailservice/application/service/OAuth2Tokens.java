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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * The access tokens of one OAuth 2.0 login, as the transport of a configuration logs in with them:
 * asked for when the configuration is applied, cached and shared by all its connections, and
 * renewed in the background ahead of expiry, so that a send never waits for the endpoint while the
 * cached token is good.
 *
 * <ul>
 *   <li>One request at a time: a login that finds no valid token waits for the request under way
 *       (or makes it), however many wait.</li>
 *   <li>Renewal starts when three quarters of a token's lifetime have passed; a failed renewal is
 *       tried again, with growing delays, while the token is still valid.</li>
 *   <li>With no valid token, a failed request is not repeated for every send: until its retry is
 *       due, a login fails at once with the endpoint's answer (a send does not wait for the SMTP
 *       timeout to learn it).</li>
 *   <li>A token the server refused although it was thought valid (revoked) is replaced once.</li>
 *   <li>A new refresh token given in place of the one asked with (rotation) is used from then on,
 *       and handed to {@code rotated} to be stored.</li>
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
    /** How long after a failed request the next one is made, doubling while they fail. */
    static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    /**
     * @param usableUntil when it stops being given out, a margin before it expires
     * @param renewAt     when it is asked to be replaced
     */
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
    private final BiConsumer<OAuth2Login, OAuth2Login> rotated;

    // Written under this object's lock; read without it, so that a valid token is had at no cost.
    private volatile OAuth2Login login;
    private volatile Token token;
    private volatile Instant lastRefresh;
    private volatile SmtpStatus.TokenError lastError;
    private volatile Instant nextAttempt = Instant.MIN;
    private int failedInARow;
    // Closing takes no lock: a reload that replaces this login must not wait for a request under way.
    private final AtomicReference<ScheduledFuture<?>> renewal = new AtomicReference<>();
    private volatile boolean closed;

    /**
     * @param rotated told {@code (old, new)} when the endpoint gave a new refresh token: the login
     *                as it was, and as it is now
     */
    OAuth2Tokens(OAuth2Login login, String username, TokenEndpoint endpoint, Clock clock,
            ScheduledExecutorService scheduler, ServiceMetrics metrics, BiConsumer<OAuth2Login, OAuth2Login> rotated) {
        this.appliedAs = Objects.requireNonNull(login, "login");
        this.login = login;
        this.username = Objects.requireNonNull(username, "username");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.rotated = Objects.requireNonNull(rotated, "rotated");
    }

    /** Asks for the first token in the background, as the configuration is applied. */
    void start() {
        schedule(Duration.ZERO);
    }

    /**
     * Whether these tokens go on serving {@code other} for {@code otherUsername}: the login they
     * were made for, or the same with another refresh token (the one the endpoint gave here, or
     * another replica, stored back), which is then asked with from now on. Taking over a stored
     * refresh token asks for nothing: replicas that each store what the endpoint gives them would
     * otherwise set each other asking, for as long as they run.
     */
    synchronized boolean takeOver(OAuth2Login other, String otherUsername) {
        if (!username.equals(otherUsername)) {
            return false;
        }
        if (appliedAs.equals(other) || login.equals(other)) {
            return true;
        }
        if (login instanceof OAuth2Login.RefreshToken current && other instanceof OAuth2Login.RefreshToken stored
                && current.withRefreshToken(stored.refreshToken()).equals(stored)) {
            login = stored;
            return true;
        }
        return false;
    }

    @Override
    public boolean accessToken() {
        return true;
    }

    @Override
    public Password secret() {
        Token current = token;
        if (valid(current)) {
            return current.value();
        }
        synchronized (this) {
            return validOrRequested(null);
        }
    }

    @Override
    public Optional<Password> afterRefusal(Password refused) {
        synchronized (this) {
            Token current = token;
            if (current != null && current.value().equals(refused)) {
                LOG.log(Level.WARNING, "The SMTP server refused an access token of {0} that was valid until {1}; "
                        + "asking for a new one", endpoint(), current.expiresAt());
                token = null;
                nextAttempt = Instant.MIN;
            }
            return Optional.of(validOrRequested(refused));
        }
    }

    /** What the status shows of these tokens. */
    SmtpStatus.OAuth2Token state() {
        Token current = token;
        return new SmtpStatus.OAuth2Token(login.kind(), endpoint().toString(),
                Optional.ofNullable(current).map(Token::expiresAt), Optional.ofNullable(lastRefresh),
                Optional.ofNullable(lastError));
    }

    /** Stops renewing; a token still cached serves the sends still under way. */
    @Override
    public void close() {
        closed = true;
        cancel(renewal.get());
    }

    /** Holding the lock: the cached token if valid, else one asked for now, unless a failure is too recent. */
    private Password validOrRequested(Password notThis) {
        Token current = token;
        if (valid(current) && !current.value().equals(notThis)) {
            return current.value();
        }
        if (clock.instant().isBefore(nextAttempt) && lastError != null) {
            throw unavailable(lastError.message());
        }
        request();
        Token fresh = token;
        if (valid(fresh)) {
            return fresh.value();
        }
        throw unavailable(lastError.message());
    }

    /** Holding the lock: one request; caches what it gives and schedules the next. */
    private void request() {
        OAuth2Login asked = login;
        Instant askedAt = clock.instant();
        TokenEndpoint.Answer answer = endpoint.request(asked, username);
        switch (answer) {
            case TokenEndpoint.Issued issued -> {
                token = Token.issued(issued.accessToken(), askedAt, issued.lifetime());
                lastRefresh = askedAt;
                lastError = null;
                failedInARow = 0;
                nextAttempt = Instant.MIN;
                metrics.tokenRequested(asked.kind(), TokenOutcome.ISSUED);
                issued.newRefreshToken().ifPresent(refreshToken -> rotate(asked, refreshToken));
                schedule(Duration.between(clock.instant(), token.renewAt()));
            }
            case TokenEndpoint.Refused refused -> failed(TokenOutcome.REFUSED, "refused: " + refused.error()
                    + refused.description().map(description -> " (" + description + ")").orElse(""));
            case TokenEndpoint.Unavailable unavailable -> failed(TokenOutcome.UNAVAILABLE, unavailable.reason());
        }
    }

    private void failed(TokenOutcome outcome, String answer) {
        String message = "No OAuth 2.0 access token from " + endpoint() + ": " + answer;
        lastError = new SmtpStatus.TokenError(clock.instant(), message, outcome == TokenOutcome.REFUSED);
        Duration wait = RETRY.delay(failedInARow++);
        nextAttempt = clock.instant().plus(wait);
        metrics.tokenRequested(login.kind(), outcome);
        LOG.log(Level.WARNING, "{0}; asking again in {1} ms at the earliest", message, wait.toMillis());
        // An endpoint that is down is asked again in the background, and so is one that refused while the
        // token is still good; a refusal with none good waits for the next login, not to repeat itself all day.
        if (outcome == TokenOutcome.UNAVAILABLE || valid(token)) {
            schedule(wait);
        }
    }

    private void rotate(OAuth2Login asked, Password refreshToken) {
        if (asked instanceof OAuth2Login.RefreshToken withRefreshToken && !withRefreshToken.refreshToken().equals(refreshToken)) {
            OAuth2Login next = withRefreshToken.withRefreshToken(refreshToken);
            login = next;
            rotated.accept(asked, next);
        }
    }

    /** The next background request, {@code delay} from now, in place of any scheduled. */
    private synchronized void schedule(Duration delay) {
        try {
            if (!closed) {
                cancel(renewal.getAndSet(scheduler.schedule(this::renewInBackground, delay.toMillis(),
                        TimeUnit.MILLISECONDS)));
            }
        } catch (RejectedExecutionException stopping) {
            // The service is stopping: nothing more is renewed.
        }
        if (closed) {
            // Closed meanwhile, after it cancelled what it found: this one is cancelled here.
            cancel(renewal.get());
        }
    }

    private static void cancel(ScheduledFuture<?> scheduled) {
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }

    /**
     * Asks for a token, unless the one cached is good and not due for renewal yet (a login asked for
     * it meanwhile, or the scheduler woke a moment early by the clock): then at its renewal.
     */
    private synchronized void renewInBackground() {
        Token current = token;
        if (closed) {
            return;
        }
        if (valid(current) && clock.instant().isBefore(current.renewAt())) {
            schedule(Duration.between(clock.instant(), current.renewAt()));
        } else {
            request();
        }
    }

    private boolean valid(Token candidate) {
        return candidate != null && clock.instant().isBefore(candidate.usableUntil());
    }

    private URI endpoint() {
        return endpoint.endpointOf(login);
    }

    /** A send's failure for want of a token: for good when the endpoint refused, for now when it could not be asked. */
    private DeliveryFailed unavailable(String message) {
        SmtpStatus.TokenError error = lastError;
        if (error != null && error.refused()) {
            return DeliveryFailed.refused(message, 1, null);
        }
        Duration retryAfter = Duration.between(clock.instant(), nextAttempt);
        return DeliveryFailed.temporary(message, 1, retryAfter.isNegative() ? Duration.ZERO : retryAfter, null);
    }
}
