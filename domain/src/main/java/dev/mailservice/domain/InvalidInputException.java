package dev.mailservice.domain;

import java.util.Optional;

/**
 * Input was refused by a rule of the domain: the field to blame, when one is, and what is wrong
 * with it, in words the sender can act on, never quoting a secret. The message reads as the two
 * together ({@code port must be between 1 and 65535}), so that an adapter that names the field
 * otherwise can word it its own way from the parts.
 */
public abstract class InvalidInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    /**
     * @param field   the offending field in the domain's names ({@code to[1]}, {@code templateData.otp}),
     *                or null when the input as a whole is wrong
     * @param problem what is wrong: with a field, what follows its name ({@code must be a string});
     *                without one, a whole sentence
     */
    protected InvalidInputException(String field, String problem) {
        super(field == null ? problem : field + " " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** The offending field, when one field is to blame. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** What is wrong, without the field's name. */
    public String problem() {
        return problem;
    }
}
