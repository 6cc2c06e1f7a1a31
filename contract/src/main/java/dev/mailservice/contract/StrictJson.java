package dev.mailservice.contract;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/**
 * JSON as this service reads and writes it: strict on everything ambiguous (a duplicated field,
 * text after the value), and silent about what it read. A parser's message quotes the text around
 * an error, which may be a password; a malformed document is described by its line and column alone.
 */
public final class StrictJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {}

    /**
     * Reads one JSON object.
     *
     * @param subject what is read, to start an error message with, e.g. {@code The request body}
     * @throws NotAJsonObjectException saying why, by line and column when the JSON is malformed
     */
    public static ObjectNode readObject(InputStream in, String subject) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            throw new NotAJsonObjectException(subject + " is not valid JSON" + at(e.getLocation()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new NotAJsonObjectException(subject + " is empty: expected a JSON object");
        }
        if (tree instanceof ObjectNode object) {
            return object;
        }
        throw new NotAJsonObjectException(
                subject + " must be a JSON object, found " + tree.getNodeType().name().toLowerCase(Locale.ROOT));
    }

    /** A JSON object's fields as plain Java values (strings, numbers, booleans, lists, maps, null), in order. */
    public static Map<String, Object> toMap(ObjectNode object) {
        return MAPPER.convertValue(object, MAPPER.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
    }

    /** {@code value} (records, maps, lists, strings, numbers) as UTF-8 JSON. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("records, maps and what JSON was read into always serialise", e);
        }
    }

    /** {@code value} as indented UTF-8 JSON, for files people read. */
    public static byte[] prettyBytes(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("records, maps and what JSON was read into always serialise", e);
        }
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1
                ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** Bytes that are not the JSON object expected; the message says why, never what they held. */
    public static final class NotAJsonObjectException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NotAJsonObjectException(String message) {
            super(message);
        }
    }
}
