package dev.mailservice.domain;

import java.util.Optional;

/**
 * An SMTP configuration was refused: a field broke a rule, or the stored document could not be
 * read as a configuration at all. The message says what is wrong in words an operator can act
 * on, and never contains the password.
 */
public class InvalidSmtpConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field   the offending field ({@code host}, {@code port}, ...), or null when the
     *                problem is the document as a whole
     * @param message what is wrong
     */
    public InvalidSmtpConfigurationException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field, when one field is to blame. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
