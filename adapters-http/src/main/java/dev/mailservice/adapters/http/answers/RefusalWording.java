package dev.mailservice.adapters.http.answers;

import dev.mailservice.application.failure.InvalidInput;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import java.util.Map;
import java.util.Objects;

/**
 * How a route words its refusals of input ({@link InvalidInput}, answered 400): the error code its
 * callers read, and what its wire calls the domain's fields. A route registers its wording on the
 * request ({@link #onRequest()}); {@link ErrorMapper} words the refusal by it, so no message is
 * parsed and no route catches a failure to answer it.
 *
 * @param code       the error code, {@code HTTP_BAD_REQUEST} or PipesHub's {@code VALIDATION_ERROR}
 * @param fieldNames the wire's name of each domain field named otherwise ({@code to} is
 *                   {@code sendEmailTo}); a field's index or sub-field follows it unchanged
 *                   ({@code to[1]} is {@code sendEmailTo[1]})
 */
public record RefusalWording(String code, Map<String, String> fieldNames) {

    /** A refusal as most routes word it: the domain's field names, {@code HTTP_BAD_REQUEST}. */
    public static final RefusalWording PLAIN = new RefusalWording("HTTP_BAD_REQUEST", Map.of());

    /** PipesHub's configuration manager: its web app shows a {@code VALIDATION_ERROR} by field. */
    public static final RefusalWording VALIDATION_ERROR = new RefusalWording("VALIDATION_ERROR", Map.of());

    public RefusalWording {
        Objects.requireNonNull(code, "code");
        fieldNames = Map.copyOf(fieldNames);
    }

    /** A handler that registers this wording on the request, for the handlers after it. */
    public Handler onRequest() {
        return (request, response) -> {
            request.context().register(this);
            response.next();
        };
    }

    /** The wording registered on {@code request}, else {@link #PLAIN}. */
    static RefusalWording of(ServerRequest request) {
        return request.context().get(RefusalWording.class).orElse(PLAIN);
    }

    /** The refusal's message, the field named as this wire names it. */
    String message(InvalidInput refusal) {
        return refusal.message(field -> {
            int end = 0;
            while (end < field.length() && Character.isLetter(field.charAt(end))) {
                end++;
            }
            return fieldNames.getOrDefault(field.substring(0, end), field.substring(0, end)) + field.substring(end);
        });
    }
}
