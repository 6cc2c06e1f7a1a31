package dev.mailservice.adapters.config;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.pipeshub.SmtpConfigurationJson;
import dev.mailservice.pipeshub.StrictJson;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.io.ByteArrayInputStream;
import java.util.Map;

/**
 * The stored form of what this service keeps in a backend: a JSON object, as UTF-8 bytes. Every
 * error names where the document came from, and never quotes it.
 */
final class ConfigurationDocument {

    private ConfigurationDocument() {}

    /**
     * Reads a stored SMTP configuration, with the document's fields this service does not know.
     *
     * @param document the JSON bytes
     * @param location where they were read from, e.g. {@code file config/smtp.json}
     * @param revision the backend's revision of the document
     * @throws InvalidInput if the bytes are not a JSON object or the object is not a valid
     *                      configuration; the message names {@code location}
     */
    static StoredSmtpConfiguration parse(byte[] document, String location, long revision) {
        String subject = subject(location);
        Map<String, Object> fields;
        try {
            fields = parseObject(document, subject);
        } catch (StrictJson.NotAJsonObjectException e) {
            throw new InvalidInput(null, e.getMessage());
        }
        try {
            return SmtpConfigurationJson.read(fields, revision);
        } catch (InvalidInput refusal) {
            throw refusal.of(subject + " is invalid");
        }
    }

    /** What is stored at {@code location} is no document at all (too long, of another type), as an invalid configuration. */
    static InvalidInput unusable(String location, PipesHubStore.UnusableValueException reason) {
        return new InvalidInput(null, subject(location) + " cannot be read: " + reason.getMessage());
    }

    private static String subject(String location) {
        return "The SMTP configuration in " + location;
    }

    /** Writes a configuration in its stored form, password included, {@code otherFields} after its own. */
    static byte[] format(SmtpConfiguration configuration, OpaqueFields otherFields) {
        return StrictJson.prettyBytes(
                SmtpConfigurationJson.write(configuration, SmtpConfigurationJson.PasswordShown.REVEALED, otherFields));
    }

    /**
     * Refuses to store a value of {@code bytes} where a value over {@code maxBytes} is refused when
     * read: stored, it would be a configuration that no replica could load, this one included
     * after a restart.
     *
     * @param location where it would be stored, as {@code location()} says it
     * @throws InvalidInput saying both sizes; nothing is stored
     */
    static void checkStorable(long bytes, int maxBytes, String location) {
        if (bytes > maxBytes) {
            throw new InvalidInput(null, "The SMTP configuration would be stored in " + location + " as " + bytes
                    + " bytes, over the limit of " + maxBytes + " bytes that the service reads (STORED_VALUE_MAX_BYTES); "
                    + "nothing was stored");
        }
    }

    /**
     * Reads a JSON object.
     *
     * @param subject what the document is, to start the error message with
     * @throws StrictJson.NotAJsonObjectException saying why the bytes are not a JSON object
     */
    static Map<String, Object> parseObject(byte[] document, String subject) {
        return StrictJson.readFields(new ByteArrayInputStream(document), subject);
    }
}
