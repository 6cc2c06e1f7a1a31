package dev.mailservice.domain;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An SMTP password. Its {@link #toString()} never shows the value, so a configuration can be
 * logged or put in an exception message without leaking it; only {@link #reveal()} gives it out,
 * for the adapter that logs in to the SMTP server or stores the configuration.
 */
public final class Password {

    private final String value;

    private Password(String value) {
        this.value = value;
    }

    /**
     * @throws IllegalArgumentException if the value is null or empty
     */
    public static Password of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a password must not be empty");
        }
        return new Password(value);
    }

    /** The secret itself; call it only where the value must leave the process. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        // Constant-time comparison: equality of secrets must not leak through timing.
        return other instanceof Password that
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.UTF_8), that.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value.length());
    }

    @Override
    public String toString() {
        return "Password[hidden]";
    }
}
