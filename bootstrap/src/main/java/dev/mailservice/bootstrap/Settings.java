package dev.mailservice.bootstrap;

import dev.mailservice.adapters.mail.SmtpSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything the service is configured with, read once from the environment at start-up and
 * checked there, so that a bad value stops the service with a message naming the variable
 * instead of failing later. The README lists the variables.
 *
 * @param port            {@code PORT}: the HTTP port; 0 picks a free one
 * @param backend         {@code SMTP_CONFIG_BACKEND} (else PipesHub's {@code KV_STORE_TYPE}): where
 *                        the SMTP configuration is stored
 * @param configFile      {@code SMTP_CONFIG_FILE}: the file of the file backend
 * @param storedValueMaxBytes {@code STORED_VALUE_MAX_BYTES}: the longest value read from the backend
 *                        (the file, or a value as stored in etcd or Redis); a longer one is refused
 * @param etcd            how to reach etcd; present with the etcd backend only
 * @param redis           how to reach Redis; present with the redis backend only
 * @param tlsCaFile       {@code TLS_CA_FILE}: a PEM file of certificate authorities that every TLS
 *                        client of the service (SMTP, etcd, Redis) trusts besides the JDK's own
 * @param watch           {@code SMTP_CONFIG_WATCH}: whether stored changes apply by themselves
 * @param scopedJwtSecret {@code SCOPED_JWT_SECRET}: the HMAC secret of scoped tokens; with a
 *                        key-value backend (etcd, Redis) it may be left out and is then read there
 * @param jwtSecret       {@code JWT_SECRET}: the HMAC secret of user tokens, the same way
 * @param smtp            how the service speaks to SMTP servers: {@code SMTP_TIMEOUT_MS} (connecting,
 *                        each read and write), {@code SMTP_SEND_DEADLINE_MS} (a whole send, its
 *                        attempts included), {@code SMTP_POOL_SIZE} and {@code SMTP_POOL_IDLE_MS} (the
 *                        connections kept), {@code SMTP_CONNECTION_MAX_MAILS} and {@code
 *                        SMTP_CONNECTION_MAX_AGE_MS} (a connection's life), {@code SMTP_REQUIRE_TLS}
 *                        (whether a server that does not offer STARTTLS is refused)
 * @param smtpVerifyOnSave {@code SMTP_VERIFY_ON_SAVE}: whether a save is refused, storing nothing,
 *                        when its configuration cannot reach the server and log in
 * @param smtpVerifyOnApply {@code SMTP_VERIFY_ON_APPLY}: whether a reloaded configuration replaces
 *                        the active one only once it reached the server and logged in; a save
 *                        on this replica, which applies what it stores, is then verified too
 * @param mailMaxRecipients {@code MAIL_MAX_RECIPIENTS}: how many addresses one mail may have, To
 *                        and Cc together
 * @param httpIdleTimeout {@code HTTP_IDLE_TIMEOUT_MS}: how long a connection may stay silent, in the
 *                        middle of a request or between two, before it is closed
 * @param mailBrandName   {@code MAIL_BRAND_NAME}: the product name mails show
 * @param observePort     {@code OBSERVE_PORT}: a port of their own for the health and metrics
 *                        endpoints; empty to serve them on {@code PORT}
 * @param readyRequiresSmtp {@code READY_REQUIRES_SMTP}: whether a replica with no active
 *                        configuration says it is not ready
 * @param shutdownGrace   {@code SHUTDOWN_GRACE_MS}: how long a stopping replica goes on serving after
 *                        it stopped being ready, so that load balancers stop sending it requests
 * @param logFormat       {@code LOG_FORMAT}: {@code text} or {@code json}
 * @param hideSecretConfig {@code HIDE_SECRET_CONFIG}, PipesHub's: whether the admin view of the stored
 *                        configuration hides host, username and fromEmail as it hides the password
 */
record Settings(
        int port,
        Backend backend,
        Path configFile,
        int storedValueMaxBytes,
        Optional<Etcd> etcd,
        Optional<Redis> redis,
        Optional<Path> tlsCaFile,
        boolean watch,
        Optional<Secret> scopedJwtSecret,
        Optional<Secret> jwtSecret,
        SmtpSettings smtp,
        boolean smtpVerifyOnSave,
        boolean smtpVerifyOnApply,
        int mailMaxRecipients,
        Duration httpIdleTimeout,
        String mailBrandName,
        OptionalInt observePort,
        boolean readyRequiresSmtp,
        Duration shutdownGrace,
        LogFormat logFormat,
        boolean hideSecretConfig) {

    static final String PORT = "PORT";
    static final String SMTP_CONFIG_BACKEND = "SMTP_CONFIG_BACKEND";
    static final String KV_STORE_TYPE = "KV_STORE_TYPE";
    static final String TLS_CA_FILE = "TLS_CA_FILE";
    static final String SMTP_CONFIG_FILE = "SMTP_CONFIG_FILE";
    static final String STORED_VALUE_MAX_BYTES = "STORED_VALUE_MAX_BYTES";
    static final String SMTP_CONFIG_WATCH = "SMTP_CONFIG_WATCH";
    static final String SCOPED_JWT_SECRET = "SCOPED_JWT_SECRET";
    static final String JWT_SECRET = "JWT_SECRET";
    static final String SMTP_POOL_SIZE = "SMTP_POOL_SIZE";
    static final String SMTP_POOL_IDLE_MS = "SMTP_POOL_IDLE_MS";
    static final String SMTP_TIMEOUT_MS = "SMTP_TIMEOUT_MS";
    static final String SMTP_SEND_DEADLINE_MS = "SMTP_SEND_DEADLINE_MS";
    static final String SMTP_CONNECTION_MAX_MAILS = "SMTP_CONNECTION_MAX_MAILS";
    static final String SMTP_CONNECTION_MAX_AGE_MS = "SMTP_CONNECTION_MAX_AGE_MS";
    static final String SMTP_REQUIRE_TLS = "SMTP_REQUIRE_TLS";
    static final String SMTP_VERIFY_ON_SAVE = "SMTP_VERIFY_ON_SAVE";
    static final String SMTP_VERIFY_ON_APPLY = "SMTP_VERIFY_ON_APPLY";
    static final String MAIL_MAX_RECIPIENTS = "MAIL_MAX_RECIPIENTS";
    static final String HTTP_IDLE_TIMEOUT_MS = "HTTP_IDLE_TIMEOUT_MS";
    static final String MAIL_BRAND_NAME = "MAIL_BRAND_NAME";
    static final String HIDE_SECRET_CONFIG = "HIDE_SECRET_CONFIG";
    static final String OBSERVE_PORT = "OBSERVE_PORT";
    static final String READY_REQUIRES_SMTP = "READY_REQUIRES_SMTP";
    static final String SHUTDOWN_GRACE_MS = "SHUTDOWN_GRACE_MS";
    static final String LOG_FORMAT = "LOG_FORMAT";
    static final String SECRET_KEY = "SECRET_KEY";
    static final String ETCD_ENDPOINTS = "ETCD_ENDPOINTS";
    static final String ETCD_HOST = "ETCD_HOST";
    static final String ETCD_PORT = "ETCD_PORT";
    static final String ETCD_DIAL_TIMEOUT = "ETCD_DIAL_TIMEOUT";
    static final String ETCD_SECRETS_WAIT_MS = "ETCD_SECRETS_WAIT_MS";
    static final String REDIS_HOST = "REDIS_HOST";
    static final String REDIS_PORT = "REDIS_PORT";
    static final String REDIS_USERNAME = "REDIS_USERNAME";
    static final String REDIS_PASSWORD = "REDIS_PASSWORD";
    static final String REDIS_TLS = "REDIS_TLS";
    static final String REDIS_DB = "REDIS_DB";
    static final String REDIS_TIMEOUT = "REDIS_TIMEOUT";
    static final String REDIS_KV_PREFIX = "REDIS_KV_PREFIX";
    static final String REDIS_SECRETS_WAIT_MS = "REDIS_SECRETS_WAIT_MS";

    static final int DEFAULT_PORT = 3000;
    static final String DEFAULT_CONFIG_FILE = "config/smtp.json";
    /**
     * A stored configuration is a few hundred bytes (twice that encrypted); a mebibyte leaves room
     * for any fields a deployment adds while a value far larger, written by mistake or malice, is
     * refused before it fills the heap.
     */
    static final int DEFAULT_STORED_VALUE_MAX_BYTES = 1024 * 1024;
    /**
     * A value is held a few times over while it is decrypted and parsed: the deployed heap (96 MB)
     * holds that for 8 MiB, not for the 40 MB one that ended a replica in testing.
     */
    static final int LARGEST_STORED_VALUE_MAX_BYTES = 8 * 1024 * 1024;
    static final long DEFAULT_SMTP_TIMEOUT_MS = 10_000;
    /**
     * A send holds its connection for about four round trips to the server, longer while the CPU is
     * busy: at a 10 ms round trip, 16 connections leave two cores partly idle under overload and 32
     * keep them busy (see docs/benchmark.md). Connections are opened only as sends need them, idle
     * ones are closed, and a server that refuses one for its own limit lowers the maximum.
     */
    static final int DEFAULT_SMTP_POOL_SIZE = 32;
    static final long DEFAULT_SMTP_POOL_IDLE_MS = 60_000;
    /** Room for three attempts that each wait out the timeout, by default; the send deadline is never below the timeout. */
    static final int SEND_DEADLINE_IN_TIMEOUTS = 3;
    /**
     * A connection carries this many mails, then is closed: servers limit mails per connection (some
     * providers a few dozen), and a mail met by that limit is tried again on a fresh connection.
     */
    static final int DEFAULT_SMTP_CONNECTION_MAX_MAILS = 100;
    /** A connection is used this long, then closed: Postfix's own client reuses one for 300 s. */
    static final long DEFAULT_SMTP_CONNECTION_MAX_AGE_MS = 300_000;
    static final int DEFAULT_MAIL_MAX_RECIPIENTS = 50;
    static final long DEFAULT_HTTP_IDLE_TIMEOUT_MS = 20_000;
    static final String DEFAULT_MAIL_BRAND_NAME = "PipesHub";
    static final String DEFAULT_ETCD_HOST = "http://localhost";
    static final int DEFAULT_ETCD_PORT = 2379;
    static final long DEFAULT_ETCD_DIAL_TIMEOUT_MS = 2_000;
    static final long DEFAULT_ETCD_SECRETS_WAIT_MS = 60_000;
    static final String DEFAULT_REDIS_HOST = "localhost";
    static final int DEFAULT_REDIS_PORT = 6379;
    static final long DEFAULT_REDIS_TIMEOUT_MS = 10_000;
    static final String DEFAULT_REDIS_KV_PREFIX = "pipeshub:kv:";
    static final long DEFAULT_REDIS_SECRETS_WAIT_MS = 60_000;
    static final long DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

    /** PipesHub generates its secrets as 20 letters and digits; anything shorter is refused. */
    static final int MIN_SECRET_LENGTH = 20;

    /** Where the SMTP configuration is stored. */
    enum Backend {
        FILE,
        ETCD,
        REDIS
    }

    /**
     * How to reach etcd.
     *
     * @param endpoints   client URLs of the members
     * @param dialTimeout {@code ETCD_DIAL_TIMEOUT}: limit for connecting and for every call
     * @param secretKey   {@code SECRET_KEY}: what values in etcd are encrypted with
     * @param secretsWait {@code ETCD_SECRETS_WAIT_MS}: how long start-up waits for etcd when the
     *                    token secrets must come from it
     */
    record Etcd(List<URI> endpoints, Duration dialTimeout, Secret secretKey, Duration secretsWait) {

        Etcd {
            endpoints = List.copyOf(endpoints);
            Objects.requireNonNull(dialTimeout, "dialTimeout");
            Objects.requireNonNull(secretKey, "secretKey");
            Objects.requireNonNull(secretsWait, "secretsWait");
        }
    }

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
    record Redis(String host, int port, Optional<String> username, Optional<Secret> password, boolean tls,
            int database, Duration timeout, String keyPrefix, Secret secretKey, Duration secretsWait) {

        Redis {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            Objects.requireNonNull(secretKey, "secretKey");
            Objects.requireNonNull(secretsWait, "secretsWait");
        }
    }

    Settings {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(etcd, "etcd");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(tlsCaFile, "tlsCaFile");
        Objects.requireNonNull(scopedJwtSecret, "scopedJwtSecret");
        Objects.requireNonNull(jwtSecret, "jwtSecret");
        Objects.requireNonNull(smtp, "smtp");
        Objects.requireNonNull(httpIdleTimeout, "httpIdleTimeout");
        Objects.requireNonNull(mailBrandName, "mailBrandName");
        Objects.requireNonNull(observePort, "observePort");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(logFormat, "logFormat");
        if (backend == Backend.ETCD && etcd.isEmpty()) {
            throw new IllegalArgumentException("the etcd backend needs etcd settings");
        }
        if (backend == Backend.REDIS && redis.isEmpty()) {
            throw new IllegalArgumentException("the redis backend needs Redis settings");
        }
        if ((scopedJwtSecret.isEmpty() || jwtSecret.isEmpty()) && etcd.isEmpty() && redis.isEmpty()) {
            throw new IllegalArgumentException("without a key-value store the token secrets must be given");
        }
    }

    /**
     * Reads the settings from {@code environment}, applying the defaults.
     *
     * @throws InvalidSettingsException naming the variable that is missing or wrong
     */
    static Settings fromEnvironment(Map<String, String> environment) {
        Backend backend = backend(environment);
        Optional<Etcd> etcd = backend == Backend.ETCD ? Optional.of(etcd(environment)) : Optional.empty();
        Optional<Redis> redis = backend == Backend.REDIS ? Optional.of(redis(environment)) : Optional.empty();
        boolean storeHasSecrets = backend != Backend.FILE;
        int port = wholeNumber(environment, PORT, DEFAULT_PORT, 0, 65_535);
        return new Settings(
                port,
                backend,
                Path.of(valueOr(environment, SMTP_CONFIG_FILE, DEFAULT_CONFIG_FILE)),
                wholeNumber(environment, STORED_VALUE_MAX_BYTES, DEFAULT_STORED_VALUE_MAX_BYTES, 1024,
                        LARGEST_STORED_VALUE_MAX_BYTES),
                etcd,
                redis,
                Optional.ofNullable(environment.get(TLS_CA_FILE)).filter(value -> !value.isBlank()).map(Path::of),
                flag(environment, SMTP_CONFIG_WATCH, true),
                tokenSecret(environment, SCOPED_JWT_SECRET, "scoped tokens", storeHasSecrets),
                tokenSecret(environment, JWT_SECRET, "user tokens", storeHasSecrets),
                smtp(environment),
                // Off by default: a relay may be briefly down when a change is made.
                flag(environment, SMTP_VERIFY_ON_SAVE, false),
                flag(environment, SMTP_VERIFY_ON_APPLY, false),
                wholeNumber(environment, MAIL_MAX_RECIPIENTS, DEFAULT_MAIL_MAX_RECIPIENTS, 1, 10_000),
                milliseconds(environment, HTTP_IDLE_TIMEOUT_MS, DEFAULT_HTTP_IDLE_TIMEOUT_MS),
                brandName(environment),
                observePort(environment, port),
                flag(environment, READY_REQUIRES_SMTP, false),
                Duration.ofMillis(wholeNumber(environment, SHUTDOWN_GRACE_MS, DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000)),
                LogFormat.of(environment.get(LOG_FORMAT)),
                flag(environment, HIDE_SECRET_CONFIG, false));
    }

    private static SmtpSettings smtp(Map<String, String> environment) {
        Duration timeout = milliseconds(environment, SMTP_TIMEOUT_MS, DEFAULT_SMTP_TIMEOUT_MS);
        Duration sendDeadline = Duration.ofMillis(wholeNumber(environment, SMTP_SEND_DEADLINE_MS,
                timeout.toMillis() * SEND_DEADLINE_IN_TIMEOUTS, timeout.toMillis(), 1_800_000));
        return new SmtpSettings(timeout, sendDeadline,
                wholeNumber(environment, SMTP_POOL_SIZE, DEFAULT_SMTP_POOL_SIZE, 1, 256),
                milliseconds(environment, SMTP_POOL_IDLE_MS, DEFAULT_SMTP_POOL_IDLE_MS),
                wholeNumber(environment, SMTP_CONNECTION_MAX_MAILS, DEFAULT_SMTP_CONNECTION_MAX_MAILS, 1, 1_000_000),
                Duration.ofMillis(wholeNumber(environment, SMTP_CONNECTION_MAX_AGE_MS, DEFAULT_SMTP_CONNECTION_MAX_AGE_MS,
                        1_000, 86_400_000)),
                // Off by default, as PipesHub's sender: a relay on a private network may offer no TLS.
                flag(environment, SMTP_REQUIRE_TLS, false));
    }

    /** A port of their own for health and metrics, never the API's (both would bind it, and the second fail). */
    private static OptionalInt observePort(Map<String, String> environment, int port) {
        if (valueOr(environment, OBSERVE_PORT, "").isEmpty()) {
            return OptionalInt.empty();
        }
        int observePort = wholeNumber(environment, OBSERVE_PORT, 0, 0, 65_535);
        if (observePort == port && port != 0) {
            throw new InvalidSettingsException(OBSERVE_PORT + " must differ from " + PORT + " (" + port + "); leave it "
                    + "unset to serve health and metrics on " + PORT);
        }
        return OptionalInt.of(observePort);
    }

    /** A token secret: required unless the key-value store can tell it, and never shorter than PipesHub's. */
    private static Optional<Secret> tokenSecret(
            Map<String, String> environment, String name, String signs, boolean storeCanTellIt) {
        Optional<String> secret = Optional.ofNullable(environment.get(name)).filter(value -> !value.isEmpty());
        if (secret.isEmpty() && !storeCanTellIt) {
            throw new InvalidSettingsException(name + " is required: the secret " + signs + " are signed with, at least "
                    + MIN_SECRET_LENGTH + " characters (with " + SMTP_CONFIG_BACKEND + "=etcd or redis it may instead "
                    + "come from the store)");
        }
        secret.ifPresent(value -> checkSecretLength(name, value));
        return secret.map(Secret::new);
    }

    /**
     * Refuses a token secret shorter than PipesHub's, naming where it came from but never
     * showing it.
     *
     * @throws InvalidSettingsException if {@code secret} is too short
     */
    static String checkSecretLength(String name, String secret) {
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new InvalidSettingsException(name + " is too short: " + secret.length()
                    + " characters, at least " + MIN_SECRET_LENGTH + " are needed");
        }
        return secret;
    }

    /** {@code SECRET_KEY}, required with a key-value backend: the key PipesHub encrypts its values with. */
    private static Secret secretKey(Map<String, String> environment, String backend, String store) {
        String secretKey = environment.get(SECRET_KEY);
        if (secretKey == null || secretKey.isEmpty()) {
            throw new InvalidSettingsException(SECRET_KEY + " is required with " + SMTP_CONFIG_BACKEND
                    + "=" + backend + ": the key PipesHub encrypts the values in " + store + " with");
        }
        return new Secret(secretKey);
    }

    private static Etcd etcd(Map<String, String> environment) {
        return new Etcd(etcdEndpoints(environment), milliseconds(environment, ETCD_DIAL_TIMEOUT,
                DEFAULT_ETCD_DIAL_TIMEOUT_MS), secretKey(environment, "etcd", "etcd"),
                milliseconds(environment, ETCD_SECRETS_WAIT_MS, DEFAULT_ETCD_SECRETS_WAIT_MS));
    }

    private static Redis redis(Map<String, String> environment) {
        String host = valueOr(environment, REDIS_HOST, DEFAULT_REDIS_HOST);
        // A name, an IPv4 address, or an IPv6 one (two colons or more); "host:port" belongs in REDIS_PORT.
        if (!host.matches("[A-Za-z0-9._-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new InvalidSettingsException(REDIS_HOST + " must be a host name or an IP address, got '" + host + "'");
        }
        String keyPrefix = environment.getOrDefault(REDIS_KV_PREFIX, "");
        return new Redis(host,
                wholeNumber(environment, REDIS_PORT, DEFAULT_REDIS_PORT, 1, 65_535),
                Optional.ofNullable(environment.get(REDIS_USERNAME)).filter(value -> !value.isEmpty()),
                Optional.ofNullable(environment.get(REDIS_PASSWORD)).filter(value -> !value.isEmpty()).map(Secret::new),
                flag(environment, REDIS_TLS, false),
                wholeNumber(environment, REDIS_DB, 0, 0, Integer.MAX_VALUE),
                milliseconds(environment, REDIS_TIMEOUT, DEFAULT_REDIS_TIMEOUT_MS),
                // PipesHub's rule: an empty prefix is the default one.
                keyPrefix.isEmpty() ? DEFAULT_REDIS_KV_PREFIX : keyPrefix,
                secretKey(environment, "redis", "Redis"),
                milliseconds(environment, REDIS_SECRETS_WAIT_MS, DEFAULT_REDIS_SECRETS_WAIT_MS));
    }

    /** {@code ETCD_ENDPOINTS} when set (a cluster), else {@code ETCD_HOST:ETCD_PORT} as PipesHub names them. */
    private static List<URI> etcdEndpoints(Map<String, String> environment) {
        String list = environment.get(ETCD_ENDPOINTS);
        if (list != null && !list.isBlank()) {
            List<URI> endpoints = new ArrayList<>();
            for (String endpoint : list.split(",")) {
                if (!endpoint.isBlank()) {
                    endpoints.add(endpoint(ETCD_ENDPOINTS, endpoint.strip()));
                }
            }
            return endpoints;
        }
        String host = valueOr(environment, ETCD_HOST, DEFAULT_ETCD_HOST);
        if (!host.contains("://")) {
            host = "http://" + host;
        }
        int port = wholeNumber(environment, ETCD_PORT, DEFAULT_ETCD_PORT, 1, 65_535);
        return List.of(endpoint(ETCD_HOST, host.replaceAll("/+$", "") + ":" + port));
    }

    private static URI endpoint(String name, String value) {
        try {
            URI uri = new URI(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getPort() > 0) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        throw new InvalidSettingsException(name + " must give etcd URLs like http://etcd:2379, got '" + value + "'");
    }

    private static String valueOr(Map<String, String> environment, String name, String fallback) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    /**
     * {@code SMTP_CONFIG_BACKEND}; when it is not set, PipesHub's {@code KV_STORE_TYPE} (so that the
     * service runs on a PipesHub deployment's variables alone); when neither is, the file.
     */
    private static Backend backend(Map<String, String> environment) {
        String value = valueOr(environment, SMTP_CONFIG_BACKEND, "");
        if (!value.isEmpty()) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "file" -> Backend.FILE;
                case "etcd" -> Backend.ETCD;
                case "redis" -> Backend.REDIS;
                default -> throw new InvalidSettingsException(
                        SMTP_CONFIG_BACKEND + " must be 'file', 'etcd' or 'redis', got '" + value + "'");
            };
        }
        String pipesHubStore = valueOr(environment, KV_STORE_TYPE, "");
        return switch (pipesHubStore.toLowerCase(Locale.ROOT)) {
            case "" -> Backend.FILE;
            case "etcd" -> Backend.ETCD;
            case "redis" -> Backend.REDIS;
            default -> throw new InvalidSettingsException(
                    KV_STORE_TYPE + " must be 'redis' or 'etcd', got '" + pipesHubStore + "'");
        };
    }

    /** A name a mail heading can show: one line, at most 100 characters. */
    private static String brandName(Map<String, String> environment) {
        String brand = valueOr(environment, MAIL_BRAND_NAME, DEFAULT_MAIL_BRAND_NAME);
        if (brand.length() > 100 || brand.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidSettingsException(MAIL_BRAND_NAME + " must be one line of at most 100 characters");
        }
        return brand;
    }

    private static boolean flag(Map<String, String> environment, String name, boolean fallback) {
        String value = valueOr(environment, name, Boolean.toString(fallback)).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new InvalidSettingsException(name + " must be true or false, got '" + value + "'");
        };
    }

    private static Duration milliseconds(Map<String, String> environment, String name, long fallback) {
        return Duration.ofMillis(wholeNumber(environment, name, fallback, 1, 600_000));
    }

    private static int wholeNumber(Map<String, String> environment, String name, long fallback, long min, long max) {
        String value = valueOr(environment, name, Long.toString(fallback));
        try {
            long number = Long.parseLong(value);
            if (number >= min && number <= max) {
                return (int) number;
            }
        } catch (NumberFormatException e) {
            // answered below, with the same message as a number out of range
        }
        throw new InvalidSettingsException(
                name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    /** The settings without the secrets, so that printing them never leaks one. */
    @Override
    public String toString() {
        return "Settings[port=" + port + ", backend=" + backend + ", configFile=" + configFile + ", etcd=" + etcd
                + ", redis=" + redis + ", tlsCaFile=" + tlsCaFile + ", watch=" + watch + ", smtp=" + smtp + ", smtpVerifyOnSave=" + smtpVerifyOnSave
                + ", smtpVerifyOnApply=" + smtpVerifyOnApply + ", mailMaxRecipients=" + mailMaxRecipients
                + ", httpIdleTimeout=" + httpIdleTimeout + ", mailBrandName=" + mailBrandName
                + ", observePort=" + observePort + ", readyRequiresSmtp=" + readyRequiresSmtp
                + ", shutdownGrace=" + shutdownGrace + ", logFormat=" + logFormat + ", hideSecretConfig=" + hideSecretConfig + "]";
    }
}
