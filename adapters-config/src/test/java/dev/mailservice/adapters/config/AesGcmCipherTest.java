package dev.mailservice.adapters.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher.UndecryptableValueException;
import dev.mailservice.testkit.NodeCryptoVector;
import org.junit.jupiter.api.Test;

class AesGcmCipherTest {

    /** Written by Node's crypto module, as PipesHub writes etcd values. */
    private static final NodeCryptoVector NODE_VECTOR = NodeCryptoVector.read();

    private static String nodeValue() {
        return NODE_VECTOR.value();
    }

    private final AesGcmCipher nodeKey = new AesGcmCipher(NODE_VECTOR.secretKey());

    @Test
    void decryptsAValueEncryptedByNodeCrypto() throws Exception {
        assertEquals(NODE_VECTOR.plaintext(), nodeKey.decrypt(nodeValue()));
    }

    @Test
    void encryptsIntoTheStoredFormAndBack() throws Exception {
        String value = nodeKey.encrypt("{\"host\":\"h\"}");

        assertTrue(value.matches("[0-9a-f]{24}:[0-9a-f]+:[0-9a-f]{32}"), value);
        assertEquals("{\"host\":\"h\"}", nodeKey.decrypt(value));
    }

    @Test
    void usesAFreshIvForEveryValue() {
        assertNotEquals(nodeKey.encrypt("same"), nodeKey.encrypt("same"));
    }

    @Test
    void aWrongKeyIsRefusedWithAClearReason() {
        UndecryptableValueException refusal = assertThrows(UndecryptableValueException.class,
                () -> new AesGcmCipher("another-secret-key").decrypt(nodeValue()));

        assertTrue(refusal.getMessage().startsWith("authentication failed"), refusal.getMessage());
    }

    @Test
    void aTamperedCiphertextIsRefused() {
        String[] parts = nodeValue().split(":");
        char flipped = parts[1].charAt(0) == '0' ? '1' : '0';
        String tampered = parts[0] + ":" + flipped + parts[1].substring(1) + ":" + parts[2];

        assertThrows(UndecryptableValueException.class, () -> nodeKey.decrypt(tampered));
    }

    @Test
    void aTamperedTagIsRefused() {
        String value = nodeValue();
        String tampered = value.substring(0, value.length() - 1) + (value.endsWith("0") ? "1" : "0");

        assertThrows(UndecryptableValueException.class, () -> nodeKey.decrypt(tampered));
    }

    @Test
    void aValueNotInTheStoredFormIsRefused() {
        for (String malformed : new String[] {"", "plain text", "00:11", "zz:zz:zz", "00:00:00", nodeValue() + ":00"}) {
            assertThrows(UndecryptableValueException.class, () -> nodeKey.decrypt(malformed), malformed);
        }
    }

    @Test
    void anEmptySecretKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AesGcmCipher(""));
    }

    @Test
    void nodeCryptoDecryptsWhatThisClassEncrypts() throws Exception {
        String plaintext = "{\"password\":\"\u00e9t\u00e9-Pa55\"}";

        String value = nodeKey.encrypt(plaintext);

        assertEquals(plaintext, NodeCrypto.decrypt(value, NODE_VECTOR.secretKey()));
        assertFalse(value.contains("Pa55"));
    }
}
