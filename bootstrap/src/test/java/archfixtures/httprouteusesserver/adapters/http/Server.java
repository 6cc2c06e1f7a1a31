package archfixtures.httprouteusesserver.adapters.http;

/** The server, keeping the rules itself. */
public class Server {
    public int port() {
        return 8080;
    }
}
