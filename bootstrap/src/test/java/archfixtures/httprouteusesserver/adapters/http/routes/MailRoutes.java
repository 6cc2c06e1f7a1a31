package archfixtures.httprouteusesserver.adapters.http.routes;

import archfixtures.httprouteusesserver.adapters.http.Server;

/** Breaks the rules on purpose: a route that reaches for the server assembling it. */
public class MailRoutes {
    public int port() {
        return new Server().port();
    }
}
