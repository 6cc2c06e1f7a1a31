package archfixtures.pipeshubjsonusesadapter.pipeshub;

import archfixtures.pipeshubjsonusesadapter.adapters.http.Routes;

/** Breaks the rules on purpose: the shared wire format reaching into one of the adapters that use it. */
public class ConfigurationJson {
    public String where() {
        return Routes.basePath() + "/smtp";
    }
}
