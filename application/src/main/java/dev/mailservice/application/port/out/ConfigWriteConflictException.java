package dev.mailservice.application.port.out;

/**
 * A write was refused because the stored configuration changed after the writer read it: another
 * write came first. Nothing was stored; reading again and retrying may succeed.
 */
public class ConfigWriteConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigWriteConflictException(String message) {
        super(message);
    }
}
