package dev.mailservice.adapters.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mailservice.domain.InvalidSmtpConfigurationException;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * The stored form of what this service keeps in a backend: a JSON object, as UTF-8 bytes.
 *
 * <p>Every error names where the document came from. Parser messages are never passed on,
 * because they quote the text around the error and that text may be a password: a malformed
 * document is described by its line and column alone.
 */
final class ConfigurationDocument {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    // Strict on everything ambiguous: a duplicated field or text after the object is refused.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ConfigurationDocument() {}

    /**
     * Reads a stored SMTP configuration, with the document's fields this service does not know.
     *
     * @param document the JSON bytes
     * @param location where they were read from, e.g. {@code file config/smtp.json}
     * @param revision the backend's revision of the document
     * @throws InvalidSmtpConfigurationException if the bytes are not a JSON object or the object
     *                                           is not a valid configuration; the message names
     *                                           {@code location}
     */
    static StoredSmtpConfiguration parse(byte[] document, String location, long revision) {
        String subject = "The SMTP configuration in " + location;
        Map<String, Object> fields;
        try {
            fields = parseObject(document, subject);
        } catch (IllegalArgumentException e) {
            throw new InvalidSmtpConfigurationException(null, e.getMessage());
        }
        try {
            return new StoredSmtpConfiguration(SmtpConfiguration.fromFields(fields), revision,
                    OpaqueFields.outside(fields, SmtpConfiguration.FIELD_NAMES));
        } catch (InvalidSmtpConfigurationException e) {
            throw new InvalidSmtpConfigurationException(e.field().orElse(null), subject + " is invalid: " + e.getMessage());
        }
    }

    /** Writes a configuration in its stored form, password included, {@code otherFields} after its own. */
    static byte[] format(SmtpConfiguration configuration, OpaqueFields otherFields) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                    otherFields.after(configuration.toFields(SmtpConfiguration.PasswordDisclosure.REVEALED)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of what JSON was read into always serialises", e);
        }
    }

    /**
     * Reads a JSON object.
     *
     * @param subject what the document is, to start the error message with
     * @throws IllegalArgumentException saying why the bytes are not a JSON object
     */
    static Map<String, Object> parseObject(byte[] document, String subject) {
        JsonNode tree;
        try {
            tree = JSON.readTree(document);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(subject + " is not valid JSON" + at(e));
        } catch (IOException e) {
            throw new IllegalStateException("reading from a byte array does no I/O", e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new IllegalArgumentException(subject + " is empty: expected a JSON object");
        }
        if (!tree.isObject()) {
            throw new IllegalArgumentException(
                    subject + " must be a JSON object, found " + tree.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return JSON.convertValue(tree, JSON_OBJECT);
    }

    private static String at(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
