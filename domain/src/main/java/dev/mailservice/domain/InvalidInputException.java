package dev.mailservice.domain;

import java.util.Optional;

/**
 * Input was refused by a rule of the domain. The message says what is wrong in words the
 * sender can act on, naming the field where one is to blame, and never quotes a secret.
 */
public abstract class InvalidInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field   the offending field in the contract's names, or null when the input as a whole is wrong
     * @param message what is wrong
     */
    protected InvalidInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field, when one field is to blame. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
