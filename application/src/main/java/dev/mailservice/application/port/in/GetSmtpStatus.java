package dev.mailservice.application.port.in;

/**
 * Use case: tell operators which SMTP configuration is active, since when, from which backend,
 * how the last reload failed if it did, and what they should know although nothing failed.
 */
public interface GetSmtpStatus {

    /** The current state; never null, and cheap enough to call on every request. */
    SmtpStatus status();
}
