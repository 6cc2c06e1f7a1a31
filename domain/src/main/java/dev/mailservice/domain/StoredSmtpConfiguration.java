package dev.mailservice.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

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

    /** The {@link #version(VersionKey) version} of nothing stored. */
    public static final String NOTHING_STORED = "none";

    public StoredSmtpConfiguration {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(otherFields, "otherFields");
        if (revision < 0) {
            throw new IllegalArgumentException("a revision is never negative, got " + revision);
        }
    }

    /**
     * A short tag that changes whenever what is stored does, secrets included: an HMAC of it under
     * {@code key}. A client that read one version can ask to write only over it; without the key a
     * version tells nothing of what it covers, so it may be shown where the values themselves are
     * hidden. It names what is stored, not the revision it is stored at: the same value written
     * again (etcd's check of a write it did not answer does so) keeps its version, so that a client
     * that read it does not meet a conflict where nothing changed.
     */
    public String version(VersionKey key) {
        List<String> parts = new ArrayList<>();
        // The record's text holds every field but the secrets, which it hides; they follow it.
        parts.add(configuration.toString());
        parts.add(configuration.password().map(Password::reveal).orElse(""));
        configuration.oauth2().ifPresent(login -> new TreeMap<>(login.secrets())
                .forEach((name, secret) -> parts.addAll(List.of(name, secret.reveal()))));
        parts.add(String.valueOf(otherFields.fields()));
        return key.tag(parts);
    }

    /** The {@link #version(VersionKey) version} of {@code stored}, {@link #NOTHING_STORED} when it is empty. */
    public static String versionOf(Optional<StoredSmtpConfiguration> stored, VersionKey key) {
        return stored.map(value -> value.version(key)).orElse(NOTHING_STORED);
    }
}
