package dev.mailservice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A value encrypted by Node's crypto module exactly as PipesHub encrypts what it stores, read from
 * {@code node-vector.json} beside this class ({@code node-vector.js} there produces it).
 *
 * @param secretKey the {@code SECRET_KEY} it was encrypted under
 * @param plaintext the SMTP configuration JSON that was encrypted
 * @param value     the stored form, {@code hex(iv):hex(ciphertext):hex(tag)}
 */
public record NodeCryptoVector(String secretKey, String plaintext, String value) {

    /** The password inside {@link #plaintext}. */
    public static final String PASSWORD = "N0de-encrypted-Pa55";

    public static NodeCryptoVector read() {
        try (InputStream json = NodeCryptoVector.class.getResourceAsStream("node-vector.json")) {
            JsonNode vector = new ObjectMapper().readTree(json);
            return new NodeCryptoVector(vector.get("secretKey").asText(), vector.get("plaintext").asText(),
                    vector.get("value").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
