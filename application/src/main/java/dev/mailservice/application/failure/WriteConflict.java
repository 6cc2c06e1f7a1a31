package dev.mailservice.application.failure;

/**
 * A write was refused because the stored configuration changed after the writer read it: another
 * write came first. Nothing was stored; reading again and retrying may succeed.
 */
public final class WriteConflict extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    public WriteConflict(String message) {
        super(message, null);
    }
}
