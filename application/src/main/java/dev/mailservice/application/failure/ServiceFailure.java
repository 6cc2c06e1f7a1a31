package dev.mailservice.application.failure;

/**
 * Every way a use case of this service can fail, as one closed set: the in-ports declare these,
 * out-port adapters throw them, and an inbound adapter answers each (a {@code switch} over this
 * type is checked by the compiler to miss none). A message says what is wrong in words an operator
 * can act on; it never holds a password or a configuration value.
 */
public abstract sealed class ServiceFailure extends RuntimeException
        permits NotConfigured, InvalidInput, BackendUnavailable, WriteConflict, DeliveryFailed, Overloaded {

    private static final long serialVersionUID = 1L;

    ServiceFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
