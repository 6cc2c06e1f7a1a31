package archfixtures.adapterscoupled.adapters.config;

/** An adapter, keeping the rules itself. */
public class FileStore {
    public String read() {
        return "{}";
    }
}
