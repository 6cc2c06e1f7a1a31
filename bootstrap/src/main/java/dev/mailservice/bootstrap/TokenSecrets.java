package dev.mailservice.bootstrap;

import dev.mailservice.adapters.config.PipesHubTokenSecrets;
import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.domain.Backoff;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The secrets tokens are verified with. Each comes from its environment variable when that is
 * set; otherwise, on a backend that is PipesHub's key-value store, from its
 * {@code /services/secretKeys} as PipesHub stores it, so that a PipesHub deployment needs to give
 * this service only {@code SECRET_KEY} and the store's address. Start-up waits for the store with a
 * growing delay, up to a limit, then gives up saying what it waited for.
 *
 * @param scopedJwtSecret signs scoped (service-to-service) tokens
 * @param jwtSecret       signs user tokens
 */
record TokenSecrets(String scopedJwtSecret, String jwtSecret) {

    private static final System.Logger LOG = System.getLogger(TokenSecrets.class.getName());
    private static final Backoff WAIT_DELAYS = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));

    /** The secret itself is never printed. */
    @Override
    public String toString() {
        return "TokenSecrets[hidden]";
    }

    /** The secrets from the environment alone, as the file backend has them (the settings require both). */
    static TokenSecrets fromEnvironment(TokenSettings settings) {
        return new TokenSecrets(settings.scopedJwtSecret().orElseThrow().reveal(),
                settings.jwtSecret().orElseThrow().reveal());
    }

    /**
     * The secrets from the environment, and those it lacks from {@code stored}.
     *
     * @param wait how long to wait for the store to answer
     * @throws InvalidSettingsException if a secret is neither in the environment nor stored, is too
     *                                  short, or is stored in a form that cannot be read
     * @throws GaveUpWaitingException   if the store did not answer in time
     */
    static TokenSecrets resolve(TokenSettings settings, PipesHubTokenSecrets stored, Duration wait) {
        Optional<PipesHubTokenSecrets.Secrets> fromStore =
                settings.complete() ? Optional.empty() : Optional.of(readWaiting(stored, wait));
        return new TokenSecrets(
                secret(TokenSettings.SCOPED_JWT_SECRET, settings.scopedJwtSecret(), fromStore, stored,
                        PipesHubTokenSecrets.Secrets::scopedJwtSecret, "scopedJwtSecret"),
                secret(TokenSettings.JWT_SECRET, settings.jwtSecret(), fromStore, stored,
                        PipesHubTokenSecrets.Secrets::jwtSecret, "jwtSecret"));
    }

    private static String secret(String variable, Optional<Secret> fromEnvironment,
            Optional<PipesHubTokenSecrets.Secrets> fromStore, PipesHubTokenSecrets stored,
            Function<PipesHubTokenSecrets.Secrets, Optional<String>> field, String fieldName) {
        if (fromEnvironment.isPresent()) {
            return fromEnvironment.get().reveal();
        }
        String where = fieldName + " in " + stored.location();
        String secret = fromStore.flatMap(field).orElseThrow(() -> new InvalidSettingsException(
                variable + " is not set and there is no " + where + ": set one of them"));
        return TokenSettings.checkSecretLength(where, secret);
    }

    private static PipesHubTokenSecrets.Secrets readWaiting(PipesHubTokenSecrets stored, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (int attempt = 0; ; attempt++) {
            try {
                return readBy(deadline, stored, wait).orElseThrow(() -> new InvalidSettingsException("A token secret is not set ("
                        + TokenSettings.SCOPED_JWT_SECRET + ", " + TokenSettings.JWT_SECRET
                        + ") and nothing is stored in " + stored.location() + ": set them"));
            } catch (PipesHubTokenSecrets.UnreadableSecretsException e) {
                // Waiting would not help: the deployment's SECRET_KEY or the stored value must change.
                throw new InvalidSettingsException(e.getMessage());
            } catch (BackendUnavailable e) {
                Duration delay = WAIT_DELAYS.delay(attempt);
                if (System.nanoTime() + delay.toNanos() > deadline) {
                    throw gaveUp(stored, wait, e.getMessage());
                }
                LOG.log(Level.WARNING, "Waiting for the token secrets in {0} ({1}); trying again in {2} ms",
                        stored.location(), e.getMessage(), delay.toMillis());
                sleep(delay, stored);
            }
        }
    }

    /**
     * One read of {@code stored}, given up at {@code deadline}: a store that takes the connection and
     * never answers holds a read for as long as its own timeouts allow, longer than the whole wait
     * (on Redis, by default, up to three of 10 s: connecting, the pool's ping, the read).
     */
    private static Optional<PipesHubTokenSecrets.Secrets> readBy(long deadline, PipesHubTokenSecrets stored,
            Duration wait) {
        FutureTask<Optional<PipesHubTokenSecrets.Secrets>> read = new FutureTask<>(stored::read);
        // Virtual: interrupting a virtual thread blocked on a socket closes the socket, which ends the read.
        Thread.ofVirtual().name("token-secrets-read").start(read);
        try {
            return read.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            read.cancel(true);
            throw gaveUp(stored, wait, "no answer came in time");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw (Error) e.getCause(); // read() throws no checked exception
        } catch (InterruptedException e) {
            read.cancel(true);
            throw interrupted(stored);
        }
    }

    private static GaveUpWaitingException gaveUp(PipesHubTokenSecrets stored, Duration wait, String why) {
        return new GaveUpWaitingException("Gave up after " + wait.toSeconds() + " s waiting for the token secrets in "
                + stored.location() + " (needed because " + TokenSettings.SCOPED_JWT_SECRET + " or "
                + TokenSettings.JWT_SECRET + " is not set): " + why);
    }

    private static void sleep(Duration delay, PipesHubTokenSecrets stored) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            throw interrupted(stored);
        }
    }

    private static GaveUpWaitingException interrupted(PipesHubTokenSecrets stored) {
        Thread.currentThread().interrupt();
        return new GaveUpWaitingException("Interrupted while waiting for the token secrets in " + stored.location());
    }
}
