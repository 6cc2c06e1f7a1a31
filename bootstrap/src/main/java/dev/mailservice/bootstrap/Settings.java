package dev.mailservice.bootstrap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the service is configured with, read once from the environment at start-up and
 * checked there, so that a bad value stops the service with a message naming the variable
 * instead of failing later.
 *
 * @param port             {@code PORT}: the HTTP port; 0 picks a free one
 * @param backend          {@code SMTP_CONFIG_BACKEND}: where the SMTP configuration is stored
 * @param configFile       {@code SMTP_CONFIG_FILE}: the file of the file backend
 * @param scopedJwtSecret  {@code SCOPED_JWT_SECRET}: the HMAC secret scoped tokens are signed with
 * @param smtpTimeout      {@code SMTP_TIMEOUT_MS}: limit for connecting to the SMTP server and for
 *                         each read and write on it
 */
record Settings(int port, Backend backend, Path configFile, String scopedJwtSecret, Duration smtpTimeout) {

    static final String PORT = "PORT";
    static final String SMTP_CONFIG_BACKEND = "SMTP_CONFIG_BACKEND";
    static final String SMTP_CONFIG_FILE = "SMTP_CONFIG_FILE";
    static final String SCOPED_JWT_SECRET = "SCOPED_JWT_SECRET";
    static final String SMTP_TIMEOUT_MS = "SMTP_TIMEOUT_MS";

    static final int DEFAULT_PORT = 3000;
    static final String DEFAULT_CONFIG_FILE = "config/smtp.json";
    static final long DEFAULT_SMTP_TIMEOUT_MS = 10_000;

    /** PipesHub generates its secrets as 20 letters and digits; anything shorter is refused. */
    static final int MIN_SECRET_LENGTH = 20;

    /** Where the SMTP configuration is stored. */
    enum Backend {
        FILE
    }

    Settings {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(scopedJwtSecret, "scopedJwtSecret");
        Objects.requireNonNull(smtpTimeout, "smtpTimeout");
    }

    /**
     * Reads the settings from {@code environment}, applying the defaults.
     *
     * @throws InvalidSettingsException naming the variable that is missing or wrong
     */
    static Settings fromEnvironment(Map<String, String> environment) {
        return new Settings(
                wholeNumber(environment, PORT, DEFAULT_PORT, 0, 65_535),
                backend(environment),
                Path.of(valueOr(environment, SMTP_CONFIG_FILE, DEFAULT_CONFIG_FILE)),
                secret(environment, SCOPED_JWT_SECRET),
                Duration.ofMillis(wholeNumber(environment, SMTP_TIMEOUT_MS, DEFAULT_SMTP_TIMEOUT_MS, 1, 600_000)));
    }

    private static String valueOr(Map<String, String> environment, String name, String fallback) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static Backend backend(Map<String, String> environment) {
        String value = valueOr(environment, SMTP_CONFIG_BACKEND, "file");
        try {
            return Backend.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingsException(SMTP_CONFIG_BACKEND + " must be 'file', got '" + value + "'");
        }
    }

    private static String secret(Map<String, String> environment, String name) {
        String value = environment.get(name);
        if (value == null || value.isEmpty()) {
            throw new InvalidSettingsException(name + " is required: the secret tokens are signed with, at least "
                    + MIN_SECRET_LENGTH + " characters");
        }
        if (value.length() < MIN_SECRET_LENGTH) {
            throw new InvalidSettingsException(name + " is too short: " + value.length()
                    + " characters, at least " + MIN_SECRET_LENGTH + " are needed");
        }
        return value;
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

    /** The settings without the secret, so that printing them never leaks it. */
    @Override
    public String toString() {
        return "Settings[port=" + port + ", backend=" + backend + ", configFile=" + configFile
                + ", smtpTimeout=" + smtpTimeout + "]";
    }
}
