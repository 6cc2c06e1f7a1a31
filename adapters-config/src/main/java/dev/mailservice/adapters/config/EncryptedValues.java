package dev.mailservice.adapters.config;

import java.util.Optional;

/**
 * A key-value store where PipesHub keeps its values encrypted ({@link AesGcmCipher}): etcd, or
 * Redis. What the service reads there beside its own configuration (the token secrets) needs no
 * more than this.
 */
public interface EncryptedValues {

    /** The value stored under {@code key}, as stored (encrypted), or empty when there is none. */
    Optional<String> value(String key);

    /** Where {@code key} lives, for messages: the store's kind, the key and the address. */
    String locationOf(String key);
}
