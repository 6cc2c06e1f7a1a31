package archfixtures.applicationusesadapter.application.service;

import archfixtures.applicationusesadapter.adapters.mail.SmtpClient;

/** Breaks the rules on purpose: a use case that builds its adapter itself. */
public class Reload {
    public void reload() {
        new SmtpClient().connect();
    }
}
