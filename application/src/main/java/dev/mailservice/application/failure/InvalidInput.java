package dev.mailservice.application.failure;

import dev.mailservice.domain.InvalidInputException;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Input broke a rule: a request, a submitted configuration, or a stored one. It names the field to
 * blame, when one is, by its name in the domain, and says what is wrong with it, never quoting a
 * secret. The message reads as the two together ({@code port must be between 1 and 65535}), after
 * what the input was when that needs saying (a stored document); an inbound adapter that names
 * fields otherwise words it from the parts ({@link #message(UnaryOperator)}).
 */
public final class InvalidInput extends ServiceFailure {

    private static final long serialVersionUID = 1L;

    private final String whole;
    private final String field;
    private final String problem;

    /**
     * @param field   the field to blame, or null when the input as a whole is wrong
     * @param problem what is wrong: with a field, what follows its name; without one, a whole sentence
     */
    public InvalidInput(String field, String problem) {
        this(null, field, problem, null);
    }

    private InvalidInput(String whole, String field, String problem, Throwable cause) {
        super(message(whole, field, problem, UnaryOperator.identity()), cause);
        this.whole = whole;
        this.field = field;
        this.problem = problem;
    }

    /**
     * The domain's refusal as this failure: the one translation, made wherever an adapter or a use
     * case calls the domain with outside input.
     */
    public static InvalidInput of(InvalidInputException refusal) {
        return new InvalidInput(null, refusal.field().orElse(null), refusal.problem(), refusal);
    }

    /** This refusal, said of {@code whole}: {@code The SMTP configuration in file x is invalid: port must be ...}. */
    public InvalidInput of(String whole) {
        return new InvalidInput(whole, field, problem, this);
    }

    /** The field to blame, when one is. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** The message, with the field named as {@code fieldName} names it. */
    public String message(UnaryOperator<String> fieldName) {
        return message(whole, field, problem, fieldName);
    }

    private static String message(String whole, String field, String problem, UnaryOperator<String> fieldName) {
        String refusal = field == null ? problem : fieldName.apply(field) + " " + problem;
        return whole == null ? refusal : whole + ": " + refusal;
    }
}
