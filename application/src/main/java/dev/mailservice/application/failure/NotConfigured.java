package dev.mailservice.application.failure;

/** A mail was to be sent while no SMTP configuration is active. */
public final class NotConfigured extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    public NotConfigured() {
        super("SMTP is not configured: store a configuration and reload it before sending mail", null);
    }
}
