package dev.mailservice.application.failure;

import java.time.Duration;
import java.util.Objects;

/** The service has no room for the request now (every SMTP connection stayed busy, say); it may be tried again. */
public final class Overloaded extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    private final transient Duration retryAfter;

    /** @param retryAfter how long the caller should wait before it tries again */
    public Overloaded(String message, Duration retryAfter) {
        super(message, null);
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
