package archfixtures.adapterusesservice.adapters.http;

import archfixtures.adapterusesservice.application.service.ReloadService;

/** Breaks the rules on purpose: a route that calls the service class instead of its in-port. */
public class Routes {
    private final ReloadService reload = new ReloadService();

    public void reload() {
        reload.reload();
    }
}
