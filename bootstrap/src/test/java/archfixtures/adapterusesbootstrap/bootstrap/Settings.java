package archfixtures.adapterusesbootstrap.bootstrap;

/** Start-up settings, keeping the rules themselves. */
public final class Settings {

    private Settings() {}

    public static int timeout() {
        return 10;
    }
}
