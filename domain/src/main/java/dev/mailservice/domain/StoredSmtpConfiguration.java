package dev.mailservice.domain;

import java.util.Objects;

/**
 * A configuration as a backend holds it: the configuration, the backend's version of it, and the
 * fields of the stored document this service does not know.
 *
 * @param configuration the configuration
 * @param revision      the backend's revision of the value (etcd's mod revision), growing with
 *                      every change; {@link #UNVERSIONED} for a backend without revisions
 * @param otherFields   the document's fields this service does not know, kept as they are
 */
public record StoredSmtpConfiguration(SmtpConfiguration configuration, long revision, OpaqueFields otherFields) {

    /** The revision of a backend that keeps none (a file), and of nothing stored. */
    public static final long UNVERSIONED = 0;

    public StoredSmtpConfiguration {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(otherFields, "otherFields");
        if (revision < 0) {
            throw new IllegalArgumentException("a revision is never negative, got " + revision);
        }
    }
}
