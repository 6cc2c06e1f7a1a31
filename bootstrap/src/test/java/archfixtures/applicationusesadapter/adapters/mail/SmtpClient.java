package archfixtures.applicationusesadapter.adapters.mail;

/** An adapter, keeping the rules itself. */
public class SmtpClient {
    public void connect() {}
}
