package dev.mailservice.application.service;

import dev.mailservice.application.failure.ServiceFailure;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The credentials the transport of each applied configuration logs in with: its password, or the
 * access tokens of its OAuth 2.0 login ({@link OAuth2Tokens}). The tokens of the active login are
 * kept across reloads that leave the login and mailbox as they were, but for the refresh token
 * ({@link OAuth2Tokens#takeOver}), so that changing the sender address or storing a new refresh
 * token asks for no new token; those of a login no longer applied stop renewing.
 *
 * <p>A refresh token the endpoint replaced is stored back, in the backend's turn, over the
 * revision that holds the login it replaced and nothing else: a configuration changed meanwhile
 * stays as it was changed.
 */
public final class SmtpLogins implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SmtpLogins.class.getName());

    private final TokenEndpoint endpoint;
    private final BackendTurns turns;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final ServiceMetrics metrics;
    private OAuth2Tokens active;

    /**
     * @param scheduler runs the token requests ahead of expiry, and the storing of a new refresh
     *                  token; these logins' own from now on, shut down when they close
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
     * The credentials for {@code configuration}, which is being applied: the active tokens when it
     * has their login and mailbox, else tokens of its own, asked for from now on.
     */
    synchronized SmtpCredentials forApplied(SmtpConfiguration configuration) {
        Optional<OAuth2Login> login = configuration.oauth2();
        String username = configuration.username().orElse("");
        if (login.isPresent() && active != null && active.takeOver(login.get(), username)) {
            return active;
        }
        if (active != null) {
            active.close();
            active = null;
        }
        if (login.isEmpty()) {
            return SmtpCredentials.password(configuration);
        }
        active = new OAuth2Tokens(login.get(), username, endpoint, clock, scheduler, metrics,
                (replaced, replacement) -> scheduler.execute(() -> storeBack(replaced, replacement)));
        active.start();
        return active;
    }

    /** What the status shows of the active configuration's tokens, when it logs in with OAuth 2.0. */
    synchronized Optional<SmtpStatus.OAuth2Token> activeTokens() {
        return Optional.ofNullable(active).map(OAuth2Tokens::state);
    }

    /** Stores {@code replacement} where {@code replaced} is still stored; anything else stored stays. */
    private void storeBack(OAuth2Login replaced, OAuth2Login replacement) {
        try (BackendTurns.Turn turn = turns.take()) {
            Optional<StoredSmtpConfiguration> stored = turn.load();
            if (stored.isEmpty() || !stored.get().configuration().oauth2().equals(Optional.of(replaced))) {
                LOG.log(Level.INFO, "The token endpoint gave a new refresh token; the stored configuration has "
                        + "changed since, so it is used until the next reload and not stored");
                return;
            }
            turn.save(stored.get().configuration().withOAuth2(Optional.of(replacement)), stored.get().otherFields(),
                    stored.get().revision());
            LOG.log(Level.INFO, "Stored the new refresh token the token endpoint gave");
        } catch (ServiceFailure failure) {
            LOG.log(Level.WARNING, "The token endpoint gave a new refresh token, and storing it failed; it is used "
                    + "until the service stops: {0}", failure.getMessage());
        }
    }

    /** Stops renewing the active tokens, and the scheduler. */
    @Override
    public synchronized void close() {
        if (active != null) {
            active.close();
        }
        scheduler.shutdownNow();
    }
}
