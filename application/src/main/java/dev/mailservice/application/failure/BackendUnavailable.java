package dev.mailservice.application.failure;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The configuration backend could not be reached or read; trying again later may succeed. */
public final class BackendUnavailable extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    private final transient Duration retryAfter;

    public BackendUnavailable(String message, Throwable cause) {
        this(message, cause, null);
    }

    private BackendUnavailable(String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    /** The backend is busy rather than unreachable: the caller may try again after {@code retryAfter}. */
    public static BackendUnavailable busy(String message, Duration retryAfter) {
        return new BackendUnavailable(message, null, Objects.requireNonNull(retryAfter, "retryAfter"));
    }

    /** How long the caller should wait before it tries again, when that is known. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
