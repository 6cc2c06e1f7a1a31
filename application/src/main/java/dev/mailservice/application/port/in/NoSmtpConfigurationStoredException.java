package dev.mailservice.application.port.in;

/** The configuration backend answered, and holds no SMTP configuration. */
public class NoSmtpConfigurationStoredException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NoSmtpConfigurationStoredException(String message) {
        super(message);
    }
}
