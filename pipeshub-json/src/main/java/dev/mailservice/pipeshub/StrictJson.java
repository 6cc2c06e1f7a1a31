package dev.mailservice.pipeshub;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

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

    /** Enough of a text's start to tell UTF-16 and UTF-32 from UTF-8. */
    private static final int UTF_DETECTION_BYTES = 4;

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
            tree = MAPPER.readTree(utf8(in, subject));
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

    /**
     * Reads one JSON object as plain Java values, as strictly as {@link #readObject}: strings,
     * booleans, null, and lists and maps in their order; a whole number as an {@link Integer},
     * {@link Long} or {@link java.math.BigInteger} when that is written back as it was sent, any other number
     * as a {@link JsonNumber}, its text. Jackson's trees and maps turn every number into a Java
     * number, which writes {@code 1e2} back as {@code 100.0} and {@code 1e999999999} as
     * {@code "Infinity"}; read token by token, a field this service does not interpret is kept
     * exactly as it came.
     *
     * @param subject what is read, to start an error message with
     * @throws NotAJsonObjectException saying why, by line and column when the JSON is malformed
     */
    public static Map<String, Object> readFields(InputStream in, String subject) {
        try (JsonParser parser = MAPPER.createParser(utf8(in, subject))) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new NotAJsonObjectException(subject + " is empty: expected a JSON object");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new NotAJsonObjectException(subject + " must be a JSON object, found " + kind(first));
            }
            Map<String, Object> fields = object(parser);
            if (parser.nextToken() != null) {
                throw new NotAJsonObjectException(subject + " is not valid JSON" + at(parser.currentTokenLocation()));
            }
            return fields;
        } catch (JsonProcessingException e) {
            throw new NotAJsonObjectException(subject + " is not valid JSON" + at(e.getLocation()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code in}, unless it starts as a text in UTF-16 or UTF-32 does (a byte order mark of theirs,
     * or a zero byte, which UTF-8 JSON never holds). JSON between systems is UTF-8 (RFC 8259,
     * section 8.1); Jackson would guess the encoding from these bytes whatever the sender declared,
     * and a malformed UTF-32 text fails in its reader with an error that is not about the JSON.
     */
    private static InputStream utf8(InputStream in, String subject) throws IOException {
        PushbackInputStream start = new PushbackInputStream(in, UTF_DETECTION_BYTES);
        byte[] first = start.readNBytes(UTF_DETECTION_BYTES);
        start.unread(first);
        boolean otherEncoding = first.length > 0 && (first[0] & 0xFF) >= 0xFE;
        for (byte b : first) {
            otherEncoding |= b == 0;
        }
        if (otherEncoding) {
            throw new NotAJsonObjectException(subject + " is not UTF-8: JSON is read in UTF-8 alone");
        }
        return start;
    }

    /** The object whose START_OBJECT is the parser's current token, read to its end. */
    private static Map<String, Object> object(JsonParser parser) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            fields.put(name, value(parser));
        }
        return fields;
    }

    private static Object value(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case START_OBJECT -> object(parser);
            case START_ARRAY -> {
                List<Object> values = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    values.add(value(parser));
                }
                yield values;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> {
                Number number = parser.getNumberValue();
                yield number.toString().equals(parser.getText()) ? number : new JsonNumber(parser.getText());
            }
            case VALUE_NUMBER_FLOAT -> new JsonNumber(parser.getText());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalStateException("a JSON parser gives no " + parser.currentToken() + " here");
        };
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            default -> "null";
        };
    }

    /**
     * A JSON number kept as the text it was sent as, where a Java number would write it back
     * otherwise ({@code 1e2}, {@code -0}, {@code 0.1000000000000000055511151231257827}); written
     * back as that text. Its {@code toString()} is the text too.
     */
    public record JsonNumber(String text) implements JsonSerializable {

        public JsonNumber {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public void serialize(JsonGenerator generator, SerializerProvider serializers) throws IOException {
            generator.writeNumber(text);
        }

        @Override
        public void serializeWithType(JsonGenerator generator, SerializerProvider serializers, TypeSerializer types)
                throws IOException {
            serialize(generator, serializers);
        }

        @Override
        public String toString() {
            return text;
        }
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
