package dev.mailservice.adapters.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mailservice.adapters.http.routes.ConfigManagerRoutes;
import dev.mailservice.adapters.http.routes.MailRoutes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The OpenAPI document names exactly the routes the service routes: none missing, none made up. */
class OpenApiRoutesTest {

    /** Every route {@code service} registers under {@code basePath}, as {@code METHOD path}; HEAD goes with GET. */
    private static Set<String> routesOf(String basePath, HttpService service) {
        Set<String> routes = new TreeSet<>();
        HttpRules[] recorder = new HttpRules[1];
        recorder[0] = (HttpRules) Proxy.newProxyInstance(HttpRules.class.getClassLoader(), new Class<?>[] {HttpRules.class},
                (proxy, method, arguments) -> {
                    String name = method.getName();
                    if (arguments != null && arguments.length > 0 && arguments[0] instanceof String path
                            && Set.of("get", "post", "put", "delete", "patch", "options").contains(name)) {
                        routes.add(name.toUpperCase(Locale.ROOT) + " " + basePath + path);
                        if (name.equals("get")) {
                            // Helidon answers HEAD on a GET route (OpenApiConformanceTest asks each one).
                            routes.add("HEAD " + basePath + path);
                        }
                    }
                    return method.getReturnType() == HttpRules.class ? recorder[0] : null;
                });
        service.routing(recorder[0]);
        return routes;
    }

    @Test
    void theDocumentNamesEveryRouteAndNothingElse() {
        HttpAdapterTest.UseCases useCases = new HttpAdapterTest.UseCases();
        Set<String> routed = new TreeSet<>(routesOf(MailRoutes.BASE_PATH, useCases.mailRoutes()));
        routed.addAll(routesOf(ConfigManagerRoutes.BASE_PATH, useCases.configManagerRoutes()));

        assertEquals(routed, OpenApiDocument.read().operations());
    }
}
