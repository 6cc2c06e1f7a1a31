package dev.mailservice.application.port.in;

/** A mail was to be sent while no SMTP configuration is active. */
public class SmtpNotConfiguredException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SmtpNotConfiguredException() {
        super("SMTP is not configured: store a configuration and reload it before sending mail");
    }
}
