package dev.mailservice.application.failure;

/** The configuration backend could not be reached or read; trying again later may succeed. */
public final class BackendUnavailable extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    public BackendUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
