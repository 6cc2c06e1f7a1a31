package dev.mailservice.bootstrap;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach Redis, with PipesHub's names and defaults.
 *
 * @param host        {@code REDIS_HOST}
 * @param port        {@code REDIS_PORT}
 * @param username    {@code REDIS_USERNAME}: an ACL user; empty for the default user
 * @param password    {@code REDIS_PASSWORD}
 * @param tls         {@code REDIS_TLS}: whether to speak TLS (trusting {@code TLS_CA_FILE} too)
 * @param database    {@code REDIS_DB}: the logical database
 * @param timeout     {@code REDIS_TIMEOUT}: limit for connecting and for every call
 * @param keyPrefix   {@code REDIS_KV_PREFIX}: what PipesHub puts before each path to make the key
 * @param secretKey   {@code SECRET_KEY}: what values in Redis are encrypted with
 * @param secretsWait {@code REDIS_SECRETS_WAIT_MS}: how long start-up waits for Redis when the
 *                    token secrets must come from it
 */
record RedisSettings(String host, int port, Optional<String> username, Optional<Secret> password, boolean tls,
        int database, Duration timeout, String keyPrefix, Secret secretKey, Duration secretsWait) {

    static final String REDIS_HOST = "REDIS_HOST";
    static final String REDIS_PORT = "REDIS_PORT";
    static final String REDIS_USERNAME = "REDIS_USERNAME";
    static final String REDIS_PASSWORD = "REDIS_PASSWORD";
    static final String REDIS_TLS = "REDIS_TLS";
    static final String REDIS_DB = "REDIS_DB";
    static final String REDIS_TIMEOUT = "REDIS_TIMEOUT";
    static final String REDIS_KV_PREFIX = "REDIS_KV_PREFIX";
    static final String REDIS_SECRETS_WAIT_MS = "REDIS_SECRETS_WAIT_MS";

    static final String DEFAULT_REDIS_HOST = "localhost";
    static final int DEFAULT_REDIS_PORT = 6379;
    static final long DEFAULT_REDIS_TIMEOUT_MS = 10_000;
    static final String DEFAULT_REDIS_KV_PREFIX = "pipeshub:kv:";
    static final long DEFAULT_REDIS_SECRETS_WAIT_MS = 60_000;

    RedisSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(secretsWait, "secretsWait");
    }

    /**
     * Reads these settings from {@code environment}, applying the defaults.
     *
     * Refuses, in {@code environment}, each variable that is missing or wrong.
     */
    static RedisSettings read(Environment environment) {
        String host = environment.valueOr(REDIS_HOST, DEFAULT_REDIS_HOST);
        // A name, an IPv4 address, or an IPv6 one (two colons or more); "host:port" belongs in REDIS_PORT.
        if (!host.matches("[A-Za-z0-9._-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            host = environment.refuse(REDIS_HOST + " must be a host name or an IP address, got '"
                    + Environment.quotable(host) + "'",
                    DEFAULT_REDIS_HOST);
        }
        return new RedisSettings(host,
                environment.wholeNumber(REDIS_PORT, DEFAULT_REDIS_PORT, 1, 65_535),
                environment.nonEmpty(REDIS_USERNAME),
                environment.nonEmpty(REDIS_PASSWORD).map(Secret::new),
                environment.flag(REDIS_TLS, false),
                environment.wholeNumber(REDIS_DB, 0, 0, Integer.MAX_VALUE),
                environment.milliseconds(REDIS_TIMEOUT, DEFAULT_REDIS_TIMEOUT_MS),
                // PipesHub's rule: an empty prefix is the default one.
                environment.nonEmpty(REDIS_KV_PREFIX).orElse(DEFAULT_REDIS_KV_PREFIX),
                BackendSettings.secretKey(environment, "redis", "Redis"),
                environment.milliseconds(REDIS_SECRETS_WAIT_MS, DEFAULT_REDIS_SECRETS_WAIT_MS));
    }
}
