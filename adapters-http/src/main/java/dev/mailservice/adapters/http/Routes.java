package dev.mailservice.adapters.http;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;

/**
 * How every route of this service is registered: its token check, then the body's media type
 * ({@link RequestBodies#JSON_ONLY}), then its handler. A GET route answers HEAD too, with the same
 * status and headers and no body.
 */
final class Routes {

    private Routes() {}

    static void post(HttpRules rules, String path, Handler access, Handler handler) {
        rules.post(path, access, RequestBodies.JSON_ONLY, handler);
    }

    static void get(HttpRules rules, String path, Handler access, Handler handler) {
        rules.get(path, access, RequestBodies.JSON_ONLY, handler);
        rules.head(path, access, RequestBodies.JSON_ONLY, handler);
    }
}
