package archfixtures.adapterscoupled.adapters.http;

import archfixtures.adapterscoupled.adapters.config.FileStore;

/** Breaks the rules on purpose: an HTTP route that reads the configuration file directly. */
public class Routes {
    public String reload() {
        return new FileStore().read();
    }
}
