package archfixtures.adapterusesservice.application.service;

/** A use case implementation, keeping the rules itself. */
public class ReloadService {
    public void reload() {}
}
