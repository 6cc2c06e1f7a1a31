package archfixtures.applicationuseshelidon.application.service;

import io.helidon.http.Status;

/** Breaks the rules on purpose: a use case that speaks HTTP. */
public class HttpAwareService {
    public Status reload() {
        return Status.OK_200;
    }
}
