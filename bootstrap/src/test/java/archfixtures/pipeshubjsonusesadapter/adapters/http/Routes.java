package archfixtures.pipeshubjsonusesadapter.adapters.http;

/** An adapter, keeping the rules itself. */
public class Routes {
    public static String basePath() {
        return "/api/v1/mail";
    }
}
