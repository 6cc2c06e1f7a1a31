package archfixtures.portscoupled.application.port.in;

import archfixtures.portscoupled.application.port.out.ConfigSource;

/** Breaks the rules on purpose: a use case that hands its callers an outbound port. */
public interface Reload {
    ConfigSource reloadFrom();
}
