package archfixtures.domainusesjackson.application.service;

import archfixtures.domainusesjackson.domain.JsonAwareValue;

/** Keeps the rules; here so that the fixture has more than one layer. */
public class Service {
    public String host(JsonAwareValue value) {
        return value.host();
    }
}
