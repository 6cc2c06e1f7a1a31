package dev.mailservice.bootstrap;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the SMTP configuration is stored, and how the service reads and follows it there.
 *
 * @param kind                {@code SMTP_CONFIG_BACKEND} (else PipesHub's {@code KV_STORE_TYPE}): where
 *                            the SMTP configuration is stored
 * @param configFile          {@code SMTP_CONFIG_FILE}: the file of the file backend
 * @param storedValueMaxBytes {@code STORED_VALUE_MAX_BYTES}: the longest value read from the backend
 *                            (the file, or a value as stored in etcd or Redis); a longer one is refused
 * @param etcd                how to reach etcd; present with the etcd backend only
 * @param redis               how to reach Redis; present with the redis backend only
 * @param watch               {@code SMTP_CONFIG_WATCH}: whether stored changes apply by themselves
 */
record BackendSettings(
        Kind kind,
        Path configFile,
        int storedValueMaxBytes,
        Optional<EtcdSettings> etcd,
        Optional<RedisSettings> redis,
        boolean watch) {

    static final String SMTP_CONFIG_BACKEND = "SMTP_CONFIG_BACKEND";
    static final String KV_STORE_TYPE = "KV_STORE_TYPE";
    static final String SMTP_CONFIG_FILE = "SMTP_CONFIG_FILE";
    static final String STORED_VALUE_MAX_BYTES = "STORED_VALUE_MAX_BYTES";
    static final String SMTP_CONFIG_WATCH = "SMTP_CONFIG_WATCH";
    static final String SECRET_KEY = "SECRET_KEY";

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

    /** Where the SMTP configuration is stored. */
    enum Kind {
        FILE,
        ETCD,
        REDIS
    }

    BackendSettings {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(etcd, "etcd");
        Objects.requireNonNull(redis, "redis");
        if (kind == Kind.ETCD && etcd.isEmpty()) {
            throw new IllegalArgumentException("the etcd backend needs etcd settings");
        }
        if (kind == Kind.REDIS && redis.isEmpty()) {
            throw new IllegalArgumentException("the redis backend needs Redis settings");
        }
    }

    /** Whether the backend is one of PipesHub's key-value stores, which can tell the token secrets. */
    boolean storeCanTellTokenSecrets() {
        return etcd.isPresent() || redis.isPresent();
    }

    /**
     * Reads these settings from {@code environment}, applying the defaults; those of the store the
     * backend is not are not read.
     *
     * Refuses, in {@code environment}, each variable that is missing or wrong.
     *
     * @param kind the backend, as {@link #kind} read it
     */
    static BackendSettings read(Environment environment, Kind kind) {
        Optional<EtcdSettings> etcd = kind == Kind.ETCD ? Optional.of(EtcdSettings.read(environment)) : Optional.empty();
        Optional<RedisSettings> redis =
                kind == Kind.REDIS ? Optional.of(RedisSettings.read(environment)) : Optional.empty();
        return new BackendSettings(
                kind,
                Path.of(environment.valueOr(SMTP_CONFIG_FILE, DEFAULT_CONFIG_FILE)),
                environment.wholeNumber(STORED_VALUE_MAX_BYTES, DEFAULT_STORED_VALUE_MAX_BYTES, 1024,
                        LARGEST_STORED_VALUE_MAX_BYTES),
                etcd,
                redis,
                environment.flag(SMTP_CONFIG_WATCH, true));
    }

    /**
     * {@code SMTP_CONFIG_BACKEND}; when it is not set, PipesHub's {@code KV_STORE_TYPE} (so that the
     * service runs on a PipesHub deployment's variables alone); when neither is, the file. Empty when
     * refused, in {@code environment}: the backend meant is unknown, and may be a store.
     */
    static Optional<Kind> kind(Environment environment) {
        String value = environment.valueOr(SMTP_CONFIG_BACKEND, "");
        if (!value.isEmpty()) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "file" -> Optional.of(Kind.FILE);
                case "etcd" -> Optional.of(Kind.ETCD);
                case "redis" -> Optional.of(Kind.REDIS);
                default -> environment.refuse(
                        SMTP_CONFIG_BACKEND + " must be 'file', 'etcd' or 'redis', got '" + value + "'", Optional.empty());
            };
        }
        String pipesHubStore = environment.valueOr(KV_STORE_TYPE, "");
        return switch (pipesHubStore.toLowerCase(Locale.ROOT)) {
            case "" -> Optional.of(Kind.FILE);
            case "etcd" -> Optional.of(Kind.ETCD);
            case "redis" -> Optional.of(Kind.REDIS);
            default -> environment.refuse(
                    KV_STORE_TYPE + " must be 'redis' or 'etcd', got '" + pipesHubStore + "'", Optional.empty());
        };
    }

    /**
     * {@code SECRET_KEY}, required with a key-value backend: the key PipesHub encrypts its values
     * with, read with the store's settings; refused in {@code environment} when it is missing.
     *
     * @param backend the backend as {@code SMTP_CONFIG_BACKEND} names it
     * @param store   the store as the message names it
     */
    static Secret secretKey(Environment environment, String backend, String store) {
        return environment.nonEmpty(SECRET_KEY).map(Secret::new).orElseGet(() -> environment.refuse(
                SECRET_KEY + " is required with " + SMTP_CONFIG_BACKEND + "=" + backend
                        + ": the key PipesHub encrypts the values in " + store + " with; " + Secret.PIPESHUBS_OR_NEW,
                new Secret("")));
    }
}
