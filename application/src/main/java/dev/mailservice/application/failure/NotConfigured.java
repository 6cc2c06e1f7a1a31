package dev.mailservice.application.failure;

import java.time.Instant;
import java.util.Objects;

/** A mail was to be sent while no SMTP configuration is active. */
public final class NotConfigured extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    /** Nothing was ever loaded, or nothing is stored. */
    public NotConfigured() {
        super("SMTP is not configured: store a configuration and reload it before sending mail", null);
    }

    /**
     * Loading the configuration failed at {@code failedAt} with {@code failure}: said here, since a
     * caller of the send route never sees the status route, where the failure is shown too.
     */
    public NotConfigured(Instant failedAt, String failure) {
        super("SMTP is not configured: loading the stored configuration failed at "
                + Objects.requireNonNull(failedAt, "failedAt") + ": " + Objects.requireNonNull(failure, "failure")
                + ". Fix what this names, then reload the configuration (or store one that works) before sending mail",
                null);
    }
}
