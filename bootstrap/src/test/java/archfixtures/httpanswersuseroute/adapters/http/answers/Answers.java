package archfixtures.httpanswersuseroute.adapters.http.answers;

import archfixtures.httpanswersuseroute.adapters.http.routes.MailRoutes;

/** Breaks the rules on purpose: the answers room reaching into a route. */
public class Answers {
    public String path() {
        return MailRoutes.PATH;
    }
}
