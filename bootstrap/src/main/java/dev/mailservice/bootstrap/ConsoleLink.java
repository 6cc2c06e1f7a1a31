package dev.mailservice.bootstrap;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * {@code java -jar mail-service.jar console-link [--minutes N]}: prints a link that opens the
 * operator console signed in, with an admin's token as PipesHub signs its users' ({@code JWT_SECRET},
 * HS256, the role {@code admin}), valid for {@code N} minutes (30 unless given; at most a day).
 * The token is in the link's fragment, which a browser sends to no server and the console clears
 * from the address bar. Without {@code JWT_SECRET}, on etcd or Redis, the secret is the one the
 * service would read there.
 */
final class ConsoleLink {

    static final int DEFAULT_MINUTES = 30;
    static final int MOST_MINUTES = 24 * 60;
    /**
     * How long the link waits for the store to answer, whatever the service itself may wait at
     * start: someone waits at a terminal.
     */
    static final Duration STORE_WAIT = Duration.ofSeconds(5);

    private ConsoleLink() {}

    /**
     * The link for {@code args} (the words after the command) and {@code environment}: {@code PORT}
     * for the address, {@code JWT_SECRET} for the signature or, when it is unset, the service's
     * variables to read it from the store with.
     *
     * @throws InvalidSettingsException naming what is missing or malformed
     * @throws GaveUpWaitingException   if the store did not answer within {@link #STORE_WAIT}
     */
    static String of(List<String> args, Map<String, String> environment, Instant now) {
        Duration lifetime = Duration.ofMinutes(minutes(args));
        Environment variables = new Environment(environment);
        int port = variables.wholeNumber(HttpSettings.PORT, HttpSettings.DEFAULT_PORT, 1, 65_535);
        variables.throwIfRefused();
        String secret = variables.nonEmpty(TokenSettings.JWT_SECRET).orElseGet(() -> storedSecret(environment));
        return "http://localhost:" + port + "/console/#token=" + adminToken(secret, now, lifetime);
    }

    /** {@code JWT_SECRET} as the service resolves it without the variable: from its key-value store. */
    private static String storedSecret(Map<String, String> environment) {
        Map<String, String> waitingLittle = new HashMap<>(environment);
        waitingLittle.put(EtcdSettings.ETCD_SECRETS_WAIT_MS, Long.toString(STORE_WAIT.toMillis()));
        waitingLittle.put(RedisSettings.REDIS_SECRETS_WAIT_MS, Long.toString(STORE_WAIT.toMillis()));
        // Whatever else is wrong, the file backend keeps no secret: say what this command needs. An
        // unknown backend is refused below with the other settings, in its own words.
        if (BackendSettings.kind(new Environment(environment)).equals(Optional.of(BackendSettings.Kind.FILE))) {
            throw new InvalidSettingsException("console-link: set " + TokenSettings.JWT_SECRET + " to the secret the "
                    + "service checks user tokens with (with " + BackendSettings.SMTP_CONFIG_BACKEND + "=etcd or redis "
                    + "it may instead come from the store)");
        }
        return Main.tokenSecrets(Settings.fromEnvironment(waitingLittle)).jwtSecret();
    }

    private static int minutes(List<String> args) {
        if (args.isEmpty()) {
            return DEFAULT_MINUTES;
        }
        if (args.size() == 2 && args.get(0).equals("--minutes") && args.get(1).matches("[0-9]{1,4}")) {
            int minutes = Integer.parseInt(args.get(1));
            if (minutes >= 1 && minutes <= MOST_MINUTES) {
                return minutes;
            }
        }
        throw new InvalidSettingsException("console-link takes --minutes N, N from 1 to " + MOST_MINUTES
                + " (default " + DEFAULT_MINUTES + ")");
    }

    private static String adminToken(String secret, Instant now, Duration lifetime) {
        JwtClaims claims = new JwtClaims();
        claims.setStringClaim("userId", "console");
        claims.setStringClaim("role", "admin");
        claims.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(now.plus(lifetime).getEpochSecond()));
        JsonWebSignature signature = new JsonWebSignature();
        signature.setPayload(claims.toJson());
        signature.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        signature.setKey(new HmacKey(secret.getBytes(StandardCharsets.UTF_8)));
        // PipesHub's secrets are 20 characters, shorter than the 32 bytes jose4j asks of HS256 keys.
        signature.setDoKeyValidation(false);
        try {
            return signature.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("signing a token failed", e);
        }
    }
}
