package dev.mailservice.application.port.out;

/** The configuration backend could not be reached or read; trying again later may succeed. */
public class ConfigBackendUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigBackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
