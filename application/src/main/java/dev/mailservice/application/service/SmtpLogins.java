package dev.mailservice.application.service;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.Backoff;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The credentials the transport of each applied configuration logs in with: its password, or the
 * access tokens of its OAuth 2.0 login ({@link OAuth2Tokens}). The tokens of the active login are
 * kept across reloads that leave the login and mailbox as they were, but for the refresh token
 * ({@link OAuth2Tokens#takeOver}), so that changing the sender address or storing a new refresh
 * token asks for no new token; those of a login no longer applied stop renewing.
 *
 * <p>A new refresh token the endpoint gives (to the tokens or to a verification) replaces the one
 * asked with, which a provider that rotates strictly refuses from then on. So it is remembered here
 * (applying a configuration that still holds the old one asks with the new one), and stored back, in
 * the backend's turn, where the stored configuration still holds a login of the same endpoint and
 * client (its secret may have changed) with the new token's predecessor (compared, not only by
 * revision: the file backend keeps none); anything else stored stays as it was stored.
 */
public final class SmtpLogins implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SmtpLogins.class.getName());

    /** How many replaced refresh tokens are remembered: a few verifications and renewals. */
    private static final int SUCCESSORS_KEPT = 16;
    /**
     * How a store-back the backend could not take is tried again: from 1 s, doubling up to a minute,
     * for about half an hour (an access token lasts an hour); the next rotation stores its own.
     */
    private static final Backoff STORE_BACK_RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
    private static final int STORE_BACK_ATTEMPTS = 36;

    private final TokenEndpoint endpoint;
    private final BackendTurns turns;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final ServiceMetrics metrics;
    /** Each replaced refresh token, with the one given in its place; guarded by this object. */
    private final Map<Password, Password> replacements = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Password, Password> eldest) {
            return size() > SUCCESSORS_KEPT;
        }
    };
    private OAuth2Tokens active;
    /** What the tokens are told of, and ask: the refresh tokens replaced, by any of them or a verification. */
    private final OAuth2Tokens.Successors successors = new OAuth2Tokens.Successors() {
        @Override
        public void rotated(OAuth2Login replaced, OAuth2Login replacement) {
            SmtpLogins.this.rotated(replaced, replacement);
        }

        @Override
        public OAuth2Login latest(OAuth2Login login) {
            return SmtpLogins.this.latest(login);
        }
    };
    /** Set by {@link #close}; guarded by this object. */
    private boolean closed;
    /**
     * The latest new refresh token whose store-back is to be tried again, until an attempt ends it
     * either way; the stop makes one last attempt with it.
     */
    private final AtomicReference<OAuth2Login.RefreshToken> awaitingRetry = new AtomicReference<>();

    /**
     * @param scheduler runs the token requests ahead of expiry, and the storing of a new refresh
     *                  token; these logins' own from now on, shut down when they close (it should drop
     *                  delayed tasks at shut-down, and run the ones due)
     */
    public SmtpLogins(TokenEndpoint endpoint, BackendTurns turns, Clock clock, ScheduledExecutorService scheduler,
            ServiceMetrics metrics) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.turns = Objects.requireNonNull(turns, "turns");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * The credentials for {@code configuration}, about to be applied: the active tokens when it has
     * their login and mailbox, else its password, or tokens of its own, not asking yet: they start
     * once {@link #applied} says the configuration is active.
     */
    synchronized SmtpCredentials forApplied(SmtpConfiguration configuration) {
        Optional<OAuth2Login> login = configuration.oauth2();
        String username = configuration.username().orElse("");
        if (login.isEmpty()) {
            return SmtpCredentials.password(configuration);
        }
        OAuth2Login latest = latest(login.get());
        if (active != null && active.takeOver(latest, username)) {
            if (!latest.equals(login.get())) {
                // Its refresh token was replaced since (a check spent it before it was stored): the one
                // given in its place is asked with, and stored over it.
                storeBackLater((OAuth2Login.RefreshToken) latest, 0, Duration.ZERO);
            }
            return active;
        }
        OAuth2Tokens tokens = new OAuth2Tokens(login.get(), latest, username, endpoint, clock, scheduler, metrics,
                successors);
        if (active != null && sameRefreshToken(active.login(), latest)) {
            // The login changed but for its refresh token (a new client secret): a request of the active
            // tokens may be spending it now, and these ask with the one it is given instead.
            tokens.askAfter(active.requestUnderWay());
        }
        return tokens;
    }

    private static boolean sameRefreshToken(OAuth2Login one, OAuth2Login other) {
        return one instanceof OAuth2Login.RefreshToken first && other instanceof OAuth2Login.RefreshToken second
                && first.refreshToken().equals(second.refreshToken());
    }

    /**
     * {@code credentials}, made by {@link #forApplied}, are the active configuration's now: new tokens
     * start asking (and store back a refresh token remembered as replaced), and those of the
     * configuration before stop renewing.
     */
    synchronized void applied(SmtpCredentials credentials) {
        if (credentials == active) {
            return;
        }
        if (closed) {
            // A reload that outlived the stop's wait for it: its tokens never start asking.
            if (credentials instanceof OAuth2Tokens tokens) {
                tokens.close();
            }
            return;
        }
        if (active != null) {
            active.close();
        }
        active = credentials instanceof OAuth2Tokens tokens ? tokens : null;
        if (active != null) {
            active.start();
            if (!active.login().equals(active.appliedAs())) {
                rotated(active.appliedAs(), active.login());
            }
        }
    }

    /**
     * The endpoint gave a new refresh token: {@code replacement} replaces {@code replaced} from now
     * on. Remembered, and stored back in the background.
     */
    void rotated(OAuth2Login replaced, OAuth2Login replacement) {
        if (replaced instanceof OAuth2Login.RefreshToken before && replacement instanceof OAuth2Login.RefreshToken after) {
            synchronized (this) {
                replacements.put(before.refreshToken(), after.refreshToken());
            }
            storeBackLater(after, 0, Duration.ZERO);
        }
    }

    /**
     * Whether {@code checked} and {@code stored} are the same configuration once each login's refresh
     * token is the latest given in its place: a check given a new refresh token stores it back while
     * it runs, and what it checked is then stored with the new token.
     */
    boolean sameOnceRotated(SmtpConfiguration checked, SmtpConfiguration stored) {
        return withLatestRefreshToken(checked).equals(withLatestRefreshToken(stored));
    }

    /** {@code configuration} with the latest refresh token given in place of its own, when one was. */
    SmtpConfiguration withLatestRefreshToken(SmtpConfiguration configuration) {
        return configuration.withOAuth2(configuration.oauth2().map(this::latest));
    }

    /**
     * The state of the tokens these logins hold as active: the last applied configuration's, when it
     * logs in with OAuth 2.0. (The status takes them from the {@link SmtpStatusBoard}, with the
     * configuration they belong to.)
     */
    synchronized Optional<SmtpStatus.OAuth2Token> activeTokens() {
        return Optional.ofNullable(active).map(OAuth2Tokens::state);
    }

    /** {@code login} with the latest refresh token given in place of its own, when one was. */
    private synchronized OAuth2Login latest(OAuth2Login login) {
        if (!(login instanceof OAuth2Login.RefreshToken withRefreshToken)) {
            return login;
        }
        Password latest = withRefreshToken.refreshToken();
        for (int step = 0; step < SUCCESSORS_KEPT && replacements.containsKey(latest); step++) {
            latest = replacements.get(latest);
        }
        return withRefreshToken.withRefreshToken(latest);
    }

    /** Has {@link #storeBack} run after {@code delay}, in the background, as attempt {@code attempt} (from 0). */
    private void storeBackLater(OAuth2Login.RefreshToken replacement, int attempt, Duration delay) {
        try {
            scheduler.schedule(() -> storeBack(replacement, attempt), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            LOG.log(Level.WARNING, "The token endpoint gave a new refresh token as the service stops; it is not "
                    + "stored, and the next start asks with the stored one");
        }
    }

    /**
     * Stores {@code replacement} where the stored login is it with an older refresh token; anything
     * else stored stays. A backend that cannot take it now is asked again later, the checks made
     * afresh each time.
     */
    private void storeBack(OAuth2Login.RefreshToken replacement, int attempt) {
        if (!tryStoreBack(replacement, attempt)) {
            awaitingRetry.compareAndSet(replacement, null); // ended: stored, not to be stored, or given up
        }
    }

    /** One attempt of {@link #storeBack}; whether it is to be tried again (and is scheduled). */
    private boolean tryStoreBack(OAuth2Login.RefreshToken replacement, int attempt) {
        try (BackendTurns.Turn turn = turns.take()) {
            Optional<StoredSmtpConfiguration> stored = turn.load();
            Optional<OAuth2Login> storedLogin = stored.flatMap(value -> value.configuration().oauth2());
            if (storedLogin.isEmpty() || storedLogin.get().equals(replacement)) {
                return false;
            }
            // The same client's refresh token, whatever else changed since (a new client secret keeps the grant).
            if (!(storedLogin.get() instanceof OAuth2Login.RefreshToken storedRefresh)
                    || !storedRefresh.sameEndpointAndClient(replacement)) {
                LOG.log(Level.INFO, "The token endpoint gave a new refresh token; the stored configuration has "
                        + "changed since, so it is used until the next reload and not stored");
                return false;
            }
            if (storedRefresh.refreshToken().equals(replacement.refreshToken())
                    || !((OAuth2Login.RefreshToken) latest(storedRefresh)).refreshToken().equals(replacement.refreshToken())) {
                // Stored already; or another refresh token is stored (pasted by an operator), or a newer one than
                // this is on its way.
                return false;
            }
            turn.save(stored.get().configuration().withOAuth2(Optional.of(
                    storedRefresh.withRefreshToken(replacement.refreshToken()))), stored.get().otherFields(),
                    stored.get().revision());
            LOG.log(Level.INFO, "Stored the new refresh token the token endpoint gave");
            return false;
        } catch (BackendUnavailable | WriteConflict forNow) {
            // Unreachable, busy, or written meanwhile by another: the next attempt reads and checks afresh.
            if (attempt + 1 < STORE_BACK_ATTEMPTS) {
                Duration delay = STORE_BACK_RETRY.delay(attempt);
                LOG.log(attempt == 0 ? Level.WARNING : Level.DEBUG, "The token endpoint gave a new refresh token, and "
                        + "storing it failed; it is used meanwhile, and storing it is tried again in {0} s: {1}",
                        delay.toSeconds(), forNow.getMessage());
                awaitingRetry.set(replacement);
                storeBackLater(replacement, attempt + 1, delay);
                return true;
            }
            LOG.log(Level.WARNING, "The token endpoint gave a new refresh token, and storing it failed {0} times; "
                    + "it is used meanwhile, and stored with the next one: {1}", attempt + 1, forNow.getMessage());
        } catch (ServiceFailure failure) {
            LOG.log(Level.WARNING, "The token endpoint gave a new refresh token, and storing it failed; it is used "
                    + "meanwhile, and stored with the next one: {0}", failure.getMessage());
        }
        return false;
    }

    /**
     * Stops renewing the active tokens; lets a request under way end, and stores what is waiting to
     * be stored, for a few seconds at most.
     */
    @Override
    public void close() {
        OAuth2Tokens closing;
        synchronized (this) {
            closed = true;
            closing = active;
            if (active != null) {
                active.close();
            }
        }
        // Outside the lock: the request's new refresh token comes back through rotated(), which takes it.
        if (closing != null) {
            closing.awaitRequest(Duration.ofSeconds(5));
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scheduler.shutdownNow();
        }
        // A store-back waiting to be tried again went with the scheduler's delayed tasks: one last attempt.
        OAuth2Login.RefreshToken pending = awaitingRetry.getAndSet(null);
        if (pending != null) {
            storeBack(pending, STORE_BACK_ATTEMPTS - 1);
        }
    }
}
