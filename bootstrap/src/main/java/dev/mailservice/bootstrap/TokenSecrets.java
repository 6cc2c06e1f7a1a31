package dev.mailservice.bootstrap;

import dev.mailservice.adapters.config.EtcdTokenSecrets;
import dev.mailservice.application.port.out.ConfigBackendUnavailableException;
import dev.mailservice.application.service.Backoff;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The secrets tokens are verified with. Each comes from its environment variable when that is
 * set; otherwise, with the etcd backend, from etcd's {@code /services/secretKeys} as PipesHub
 * stores it, so that a PipesHub deployment needs to give this service only {@code SECRET_KEY}
 * and the etcd address. Start-up waits for etcd with a growing delay, up to
 * {@code ETCD_SECRETS_WAIT_MS}, then gives up saying what it waited for.
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

    /**
     * @throws InvalidSettingsException if a secret is neither in the environment nor in etcd, is too
     *                                  short, or is stored in etcd in a form that cannot be read
     * @throws GaveUpWaitingException   if etcd did not answer in time
     */
    static TokenSecrets resolve(Settings settings, Optional<EtcdTokenSecrets> etcd) {
        Optional<EtcdTokenSecrets.Secrets> fromEtcd = settings.scopedJwtSecret().isPresent()
                        && settings.jwtSecret().isPresent()
                ? Optional.empty()
                : Optional.of(readWaiting(etcd.orElseThrow(), settings.etcd().orElseThrow().secretsWait()));
        return new TokenSecrets(
                secret(Settings.SCOPED_JWT_SECRET, settings.scopedJwtSecret(), fromEtcd,
                        EtcdTokenSecrets.Secrets::scopedJwtSecret, "scopedJwtSecret"),
                secret(Settings.JWT_SECRET, settings.jwtSecret(), fromEtcd, EtcdTokenSecrets.Secrets::jwtSecret,
                        "jwtSecret"));
    }

    private static String secret(String variable, Optional<String> fromEnvironment,
            Optional<EtcdTokenSecrets.Secrets> fromEtcd, Function<EtcdTokenSecrets.Secrets, Optional<String>> field,
            String fieldName) {
        if (fromEnvironment.isPresent()) {
            return fromEnvironment.get();
        }
        String where = fieldName + " in etcd key " + EtcdTokenSecrets.KEY;
        String secret = fromEtcd.flatMap(field).orElseThrow(() -> new InvalidSettingsException(
                variable + " is not set and there is no " + where + ": set one of them"));
        return Settings.checkSecretLength(where, secret);
    }

    private static EtcdTokenSecrets.Secrets readWaiting(EtcdTokenSecrets etcd, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (int attempt = 0; ; attempt++) {
            try {
                return etcd.read().orElseThrow(() -> new InvalidSettingsException("A token secret is not set ("
                        + Settings.SCOPED_JWT_SECRET + ", " + Settings.JWT_SECRET + ") and etcd holds no "
                        + EtcdTokenSecrets.KEY + ": set them"));
            } catch (EtcdTokenSecrets.UnreadableSecretsException e) {
                // Waiting would not help: the deployment's SECRET_KEY or the stored value must change.
                throw new InvalidSettingsException(e.getMessage());
            } catch (ConfigBackendUnavailableException e) {
                Duration delay = WAIT_DELAYS.delay(attempt);
                if (System.nanoTime() + delay.toNanos() > deadline) {
                    throw new GaveUpWaitingException("Gave up after " + wait.toSeconds() + " s waiting for etcd to "
                            + "answer with the token secrets in " + EtcdTokenSecrets.KEY + " (needed because "
                            + Settings.SCOPED_JWT_SECRET + " or " + Settings.JWT_SECRET + " is not set): "
                            + e.getMessage());
                }
                LOG.log(Level.WARNING, "Waiting for etcd to answer with the token secrets ({0}); trying again in {1} ms",
                        e.getMessage(), delay.toMillis());
                sleep(delay);
            }
        }
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GaveUpWaitingException("Interrupted while waiting for etcd");
        }
    }
}
