package dev.mailservice.adapters.http.observe;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of the request the current thread serves: the caller's {@code X-Request-Id} when it is a
 * plausible id, else one made here. Every log line the request causes carries it (the log handler
 * reads {@link #current()} on the thread that logs), and the answer returns it.
 */
public final class RequestIds {

    /** The header that carries the id both ways. */
    public static final String HEADER = "X-Request-Id";

    /**
     * The logger of the access lines, one per request answered; a record's parameters are the
     * method, the path, the status and the milliseconds it took.
     */
    public static final String ACCESS_LOGGER = "dev.mailservice.access";

    /** Short, and nothing that could break a log line or a header: letters, digits and {@code -_.:}. */
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private RequestIds() {}

    /** The id of the request this thread serves, if it serves one. */
    public static Optional<String> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** The caller's id when acceptable, else a new one. */
    static String choose(Optional<String> given) {
        return given.filter(id -> ACCEPTABLE.matcher(id).matches()).orElseGet(() -> UUID.randomUUID().toString());
    }

    static void bind(String id) {
        CURRENT.set(id);
    }

    static void unbind() {
        CURRENT.remove();
    }
}
