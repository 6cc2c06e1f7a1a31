package dev.mailservice.bootstrap;

/** An environment variable is missing or holds a value the service cannot start with. */
final class InvalidSettingsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InvalidSettingsException(String message) {
        super(message);
    }
}
