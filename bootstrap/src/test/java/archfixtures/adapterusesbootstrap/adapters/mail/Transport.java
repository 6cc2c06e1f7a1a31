package archfixtures.adapterusesbootstrap.adapters.mail;

import archfixtures.adapterusesbootstrap.bootstrap.Settings;

/** Breaks the rules on purpose: an adapter that reads start-up settings itself. */
public class Transport {
    public int timeout() {
        return Settings.timeout();
    }
}
