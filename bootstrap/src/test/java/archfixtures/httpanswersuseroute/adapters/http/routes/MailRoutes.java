package archfixtures.httpanswersuseroute.adapters.http.routes;

/** A route, keeping the rules itself. */
public class MailRoutes {
    public static String PATH = "/api/v1/mail";
}
