package dev.mailservice.adapters.http.routes;

import dev.mailservice.adapters.http.answers.RefusalWording;
import dev.mailservice.adapters.http.edge.RequestBodies;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;

/**
 * How every route of this service is registered: its token check, then the body's media type
 * ({@link RequestBodies#JSON_ONLY}), then, for a route that words its refusals its own way, its
 * {@link RefusalWording}, then its handler. A GET route answers HEAD too, with the same
 * status and headers and no body.
 */
final class Routes {

    private Routes() {}

    static void post(HttpRules rules, String path, Handler access, Handler handler) {
        rules.post(path, access, RequestBodies.JSON_ONLY, handler);
    }

    /** A POST route whose refusals of input are worded as {@code wording} says. */
    static void post(HttpRules rules, String path, Handler access, RefusalWording wording, Handler handler) {
        rules.post(path, access, RequestBodies.JSON_ONLY, wording.onRequest(), handler);
    }

    static void get(HttpRules rules, String path, Handler access, Handler handler) {
        rules.get(path, access, RequestBodies.JSON_ONLY, handler);
        rules.head(path, access, RequestBodies.JSON_ONLY, handler);
    }
}
