package dev.mailservice.application.failure;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A mail was not delivered. Its {@link Ending} says where the mail is, which decides what the
 * caller may do: send it again, give up, or find out before sending it again. The message says
 * what happened in words an operator can act on, with the server's last reply where there was one,
 * never a password.
 */
public final class DeliveryFailed extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    /** Where the mail is after the failure. */
    public enum Ending {
        /** The server did not take it, and may later (it could not be reached, or refused for now): sending it again is safe. */
        TEMPORARY,
        /** The server refused it for good, or it cannot be sent as configured: sending it again fails the same way. */
        REFUSED,
        /**
         * It was handed over and no answer came (or it reached some of its recipients only): the server may have
         * taken it, so it was not sent again, and sending it again may deliver it twice.
         */
        UNCERTAIN
    }

    private final Ending ending;
    private final int attempts;
    private final transient Duration retryAfter;

    private DeliveryFailed(Ending ending, String message, int attempts, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.ending = Objects.requireNonNull(ending, "ending");
        this.attempts = attempts;
        this.retryAfter = retryAfter;
    }

    /** Not taken for now; the caller may send it again after {@code retryAfter}. */
    public static DeliveryFailed temporary(String message, int attempts, Duration retryAfter, Throwable cause) {
        return new DeliveryFailed(Ending.TEMPORARY, message, attempts, Objects.requireNonNull(retryAfter, "retryAfter"),
                cause);
    }

    /** Refused for good. */
    public static DeliveryFailed refused(String message, int attempts, Throwable cause) {
        return new DeliveryFailed(Ending.REFUSED, message, attempts, null, cause);
    }

    /** Handed over without an answer, or delivered to some recipients only. */
    public static DeliveryFailed uncertain(String message, int attempts, Throwable cause) {
        return new DeliveryFailed(Ending.UNCERTAIN, message, attempts, null, cause);
    }

    public Ending ending() {
        return ending;
    }

    /** How many times the mail was tried, the last one included. */
    public int attempts() {
        return attempts;
    }

    /** How long the caller should wait before sending it again; present when the ending is {@link Ending#TEMPORARY}. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
