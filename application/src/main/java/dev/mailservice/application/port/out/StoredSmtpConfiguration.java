package dev.mailservice.application.port.out;

import dev.mailservice.domain.SmtpConfiguration;
import java.util.Objects;

/**
 * A configuration as read from its backend, with the backend's version of it.
 *
 * @param configuration the configuration
 * @param revision      the backend's revision of the value (etcd's mod revision), growing with
 *                      every change; {@link #UNVERSIONED} for a backend without revisions
 */
public record StoredSmtpConfiguration(SmtpConfiguration configuration, long revision) {

    /** The revision of a backend that keeps none (a file). */
    public static final long UNVERSIONED = 0;

    public StoredSmtpConfiguration {
        Objects.requireNonNull(configuration, "configuration");
        if (revision < 0) {
            throw new IllegalArgumentException("a revision is never negative, got " + revision);
        }
    }
}
