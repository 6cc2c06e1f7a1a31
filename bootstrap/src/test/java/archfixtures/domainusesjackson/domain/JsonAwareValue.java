package archfixtures.domainusesjackson.domain;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Breaks the rules on purpose: a domain value that knows Jackson. */
public record JsonAwareValue(@JsonProperty("host") String host) {}
