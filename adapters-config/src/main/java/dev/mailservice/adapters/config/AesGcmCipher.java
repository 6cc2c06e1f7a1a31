package dev.mailservice.adapters.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts values the way PipesHub stores them in etcd: AES-256-GCM with a random
 * 12-byte IV and a 16-byte tag, the key being the SHA-256 of the UTF-8 bytes of
 * {@code SECRET_KEY}, written as {@code hex(iv):hex(ciphertext):hex(tag)}.
 *
 * <p>Thread-safe: a {@link Cipher} is made per call.
 */
public final class AesGcmCipher {

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param secretKey the {@code SECRET_KEY} of the deployment; must not be empty
     */
    public AesGcmCipher(String secretKey) {
        Objects.requireNonNull(secretKey, "secretKey");
        if (secretKey.isEmpty()) {
            throw new IllegalArgumentException("SECRET_KEY must not be empty");
        }
        this.key = new SecretKeySpec(sha256(secretKey.getBytes(StandardCharsets.UTF_8)), "AES");
    }

    /** Encrypts {@code plaintext} with a fresh random IV. */
    public String encrypt(String plaintext) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * Byte.SIZE, iv));
            // The JDK appends the tag to the ciphertext; the stored form keeps them apart.
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            int ciphertextLength = sealed.length - TAG_BYTES;
            return HEX.formatHex(iv) + ":" + HEX.formatHex(sealed, 0, ciphertextLength) + ":"
                    + HEX.formatHex(sealed, ciphertextLength, sealed.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /**
     * Decrypts a stored value.
     *
     * @throws UndecryptableValueException if the value is not in the stored form, or was not
     *                                     encrypted with this key, or was altered since
     */
    public String decrypt(String value) throws UndecryptableValueException {
        String[] parts = value.strip().split(":", -1);
        if (parts.length != 3) {
            throw new UndecryptableValueException("it is not in the form hex(iv):hex(ciphertext):hex(tag)");
        }
        byte[] iv;
        byte[] ciphertext;
        byte[] tag;
        try {
            iv = HEX.parseHex(parts[0]);
            ciphertext = HEX.parseHex(parts[1]);
            tag = HEX.parseHex(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new UndecryptableValueException("it is not in the form hex(iv):hex(ciphertext):hex(tag)");
        }
        if (iv.length != IV_BYTES || tag.length != TAG_BYTES) {
            throw new UndecryptableValueException("its IV must be " + IV_BYTES + " bytes and its tag " + TAG_BYTES
                    + " bytes, found " + iv.length + " and " + tag.length);
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * Byte.SIZE, iv));
            byte[] sealed = Arrays.copyOf(ciphertext, ciphertext.length + TAG_BYTES);
            System.arraycopy(tag, 0, sealed, ciphertext.length, TAG_BYTES);
            return new String(cipher.doFinal(sealed), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new UndecryptableValueException(
                    "authentication failed: SECRET_KEY is not the key it was encrypted with, or the value was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** A stored value that cannot be decrypted; the message says why, never the key. */
    public static final class UndecryptableValueException extends Exception {

        private static final long serialVersionUID = 1L;

        UndecryptableValueException(String message) {
            super(message);
        }
    }
}
