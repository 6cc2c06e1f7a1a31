package dev.mailservice.application.port.in;

import dev.mailservice.domain.StoredSmtpConfiguration;
import java.util.Objects;
import java.util.Set;

/**
 * The stored versions a save may write over, as a client names them (HTTP's {@code If-Match},
 * RFC 9110 section 13.1.1): any version of something stored, or one of a set.
 *
 * @param anyStored whether any version will do, as long as something is stored ({@code *})
 * @param versions  the versions that will do, when not any; possibly none, when the client named
 *                  only versions that can never match
 */
public record StoredVersions(boolean anyStored, Set<String> versions) {

    public StoredVersions {
        versions = Set.copyOf(Objects.requireNonNull(versions, "versions"));
    }

    /** Any version, as long as something is stored. */
    public static StoredVersions any() {
        return new StoredVersions(true, Set.of());
    }

    /** One of {@code versions}. */
    public static StoredVersions oneOf(Set<String> versions) {
        return new StoredVersions(false, versions);
    }

    /** Whether what is stored at {@code version} ({@link GetStoredSmtpConfiguration.Read#version()}) will do. */
    public boolean allow(String version) {
        return anyStored ? !StoredSmtpConfiguration.NOTHING_STORED.equals(version) : versions.contains(version);
    }

    /** The versions named, for a message. */
    @Override
    public String toString() {
        return anyStored ? "*" : String.join(", ", versions.stream().sorted().toList());
    }
}
