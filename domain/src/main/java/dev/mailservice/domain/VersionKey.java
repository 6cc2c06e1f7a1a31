package dev.mailservice.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key a stored configuration's {@link StoredSmtpConfiguration#version() version} is computed
 * with: an HMAC key that every replica derives from the same shared secret, so that every replica
 * gives the same version for the same stored value, while one who reads a version (an admin
 * shown placeholders for hidden fields) cannot test guesses of what it covers.
 */
public final class VersionKey {

    private static final String ALGORITHM = "HmacSHA256";
    /** Sets this key apart from any other use of the same secret. */
    private static final byte[] PURPOSE = "mail-service stored configuration version".getBytes(StandardCharsets.UTF_8);
    /** Bytes of the HMAC kept in a version: 96 bits, plenty to tell two values apart. */
    private static final int TAG_BYTES = 12;

    private final SecretKeySpec key;

    private VersionKey(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /**
     * The key derived from {@code sharedSecret}, a secret every replica holds and no reader of a
     * version does.
     *
     * @throws IllegalArgumentException if the secret is empty
     */
    public static VersionKey derivedFrom(String sharedSecret) {
        Objects.requireNonNull(sharedSecret, "sharedSecret");
        if (sharedSecret.isEmpty()) {
            throw new IllegalArgumentException("a version key needs a non-empty secret");
        }
        return new VersionKey(hmac(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), ALGORITHM),
                List.of(PURPOSE)));
    }

    /** A hex tag of {@code parts}, each taken whole: no two different lists of parts run together alike. */
    String tag(List<String> parts) {
        return HexFormat.of().formatHex(hmac(key, parts.stream()
                .map(part -> part.getBytes(StandardCharsets.UTF_8)).toList()), 0, TAG_BYTES);
    }

    private static byte[] hmac(SecretKeySpec key, List<byte[]> parts) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            for (byte[] part : parts) {
                mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(part.length).array());
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has " + ALGORITHM, e);
        }
    }

    /** The key itself is never printed. */
    @Override
    public String toString() {
        return "VersionKey[hidden]";
    }
}
