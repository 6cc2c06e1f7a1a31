package dev.mailservice.application.port.in;

/**
 * Use case: tell operators which SMTP configuration is active, since when, from which backend,
 * and how the last reload failed if it did.
 */
public interface GetActiveSmtpConfiguration {

    /** The current state; never null, and cheap enough to call on every request. */
    SmtpStatus status();
}
