package dev.mailservice.application.failure;

import dev.mailservice.domain.InvalidInputException;
import java.util.Optional;

/**
 * Input broke a rule: a request, a submitted configuration, or a stored one. The message says
 * what is wrong, naming the field by its name in the domain, never quoting a secret.
 */
public final class InvalidInput extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field   the field to blame, or null when the input as a whole is wrong
     * @param message what is wrong
     */
    public InvalidInput(String field, String message) {
        this(field, message, null);
    }

    private InvalidInput(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The domain's refusal, as a failure of the use case that met it. */
    public static InvalidInput of(InvalidInputException refusal) {
        return new InvalidInput(refusal.field().orElse(null), refusal.getMessage(), refusal);
    }

    /** The field to blame, when one is. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
