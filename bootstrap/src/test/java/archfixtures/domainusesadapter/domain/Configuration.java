package archfixtures.domainusesadapter.domain;

import archfixtures.domainusesadapter.adapters.config.FileStore;

/** Breaks the rules on purpose: a domain value that reads itself from an adapter. */
public record Configuration(String host) {
    public static Configuration load() {
        return new Configuration(new FileStore().read());
    }
}
