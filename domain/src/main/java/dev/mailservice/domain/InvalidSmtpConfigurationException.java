package dev.mailservice.domain;

/**
 * An SMTP configuration was refused: a field broke a rule, or the stored document could not be
 * read as a configuration at all. The message never contains the password.
 */
public class InvalidSmtpConfigurationException extends InvalidInputException {

    private static final long serialVersionUID = 1L;

    /**
     * @param field   the offending field ({@code host}, {@code port}, ...), or null when the
     *                problem is the document as a whole
     * @param message what is wrong
     */
    public InvalidSmtpConfigurationException(String field, String message) {
        super(field, message);
    }
}
