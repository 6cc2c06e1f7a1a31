package dev.mailservice.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

    /** The {@link #version()} of nothing stored. */
    public static final String NOTHING_STORED = "none";

    public StoredSmtpConfiguration {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(otherFields, "otherFields");
        if (revision < 0) {
            throw new IllegalArgumentException("a revision is never negative, got " + revision);
        }
    }

    /**
     * A short tag that changes whenever what is stored does, but for its secrets, which it never
     * reveals (not even as a digest): the revision, where the backend keeps one, and a digest of the
     * rest. A client that read one version can ask to write only over it.
     */
    public String version() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            // Secrets print hidden, so the digest holds none of them.
            digest.update((configuration + "\n" + otherFields.fields()).getBytes(StandardCharsets.UTF_8));
            return revision + "-" + HexFormat.of().formatHex(digest.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
