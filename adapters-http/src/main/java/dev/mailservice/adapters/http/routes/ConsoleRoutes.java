package dev.mailservice.adapters.http.routes;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;

/**
 * The operator console under {@code /console/}: static files from the jar (HTML, CSS and
 * JavaScript modules, nothing built at run time, nothing from elsewhere), served by Helidon's static
 * content support, each with headers that keep a page safe to open: a Content-Security-Policy that
 * allows this origin's own files alone (no inline script, no frame around it), no MIME sniffing, no
 * referrer. The console talks to the API routes with an admin's token held in the browser tab; no
 * cookie is set, so there is nothing a forged request from another site could ride on.
 */
public final class ConsoleRoutes implements HttpService {

    /** Where the console lives. */
    public static final String BASE_PATH = "/console";

    /** This origin's files only; no inline script or style, no plug-ins, never in a frame. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    /**
     * Read from the jar into memory, never copied to a temporary directory (which the library does
     * by default, and cleans up through a shutdown handler that sets up Helidon's logging and says
     * so on standard error, outside the service's log format).
     */
    private final HttpService files = StaticContentFeature.createService(ClasspathHandlerConfig.builder()
            .location("console")
            .welcome("index.html")
            .temporaryStorage(storage -> storage.enabled(false))
            .memoryCache(cache -> cache.enabled(true))
            .build());

    @Override
    public void routing(HttpRules rules) {
        rules.any((request, response) -> {
            response.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
            response.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
            response.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
            response.header(HeaderNames.CACHE_CONTROL, "no-cache");
            response.next();
        });
        rules.register(files);
    }
}
