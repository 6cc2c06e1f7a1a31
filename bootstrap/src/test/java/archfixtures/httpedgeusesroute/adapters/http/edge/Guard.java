package archfixtures.httpedgeusesroute.adapters.http.edge;

import archfixtures.httpedgeusesroute.adapters.http.routes.MailRoutes;

/** Breaks the rules on purpose: a guard that knows a route. */
public class Guard {
    public boolean guards(String path) {
        return path.startsWith(MailRoutes.PATH);
    }
}
