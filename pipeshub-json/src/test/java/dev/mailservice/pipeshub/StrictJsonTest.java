package dev.mailservice.pipeshub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StrictJsonTest {

    /** The two readers, as a tree and as fields: each is as strict as the other. */
    static Stream<BiFunction<InputStream, String, ?>> readers() {
        return Stream.of(StrictJson::readObject, StrictJson::readFields);
    }

    private static InputStream utf8(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusalOf(BiFunction<InputStream, String, ?> reader, String json) {
        return assertThrows(StrictJson.NotAJsonObjectException.class, () -> reader.apply(utf8(json), "The document"))
                .getMessage();
    }

    @ParameterizedTest
    @MethodSource("readers")
    void aMalformedDocumentIsDescribedByLineAndColumnAloneNeverByItsText(BiFunction<InputStream, String, ?> reader) {
        assertEquals("The document is not valid JSON (line 2, column 14)",
                refusalOf(reader, "{\"host\": \"a\",\n \"password\": Secr3t}"));
    }

    @ParameterizedTest
    @MethodSource("readers")
    void refusesWhatIsAmbiguousOrNotAnObject(BiFunction<InputStream, String, ?> reader) {
        assertEquals("The document is not valid JSON (line 1, column 19)", refusalOf(reader, "{\"port\": 1, \"port\": 2}"));
        assertEquals("The document is not valid JSON (line 1, column 4)", refusalOf(reader, "{} {}"));
        assertEquals("The document must be a JSON object, found array", refusalOf(reader, "[1]"));
        assertEquals("The document must be a JSON object, found number", refusalOf(reader, "1e2"));
        assertEquals("The document is empty: expected a JSON object", refusalOf(reader, ""));
    }

    /** JSON in UTF-16 or UTF-32, with and without a byte order mark, and bytes that are neither. */
    static Stream<Arguments> otherEncodings() {
        return readers().flatMap(reader -> Stream.of(
                "{\"a\": 1}".getBytes(StandardCharsets.UTF_16BE),
                "{\"a\": 1}".getBytes(StandardCharsets.UTF_16LE),
                "{\"a\": 1}".getBytes(StandardCharsets.UTF_16),
                "{\"a\": 1}".getBytes(Charset.forName("UTF-32BE")),
                "\uFEFF{\"a\": 1}".getBytes(Charset.forName("UTF-32LE")),
                new byte[] {0, 0, '{', 0},
                new byte[] {0, 0, 0, '{', 0, 0}).map(bytes -> Arguments.of(reader, bytes)));
    }

    @ParameterizedTest
    @MethodSource("otherEncodings")
    void onlyUtf8IsRead(BiFunction<InputStream, String, ?> reader, byte[] document) {
        assertEquals("The document is not UTF-8: JSON is read in UTF-8 alone", assertThrows(
                StrictJson.NotAJsonObjectException.class,
                () -> reader.apply(new ByteArrayInputStream(document), "The document")).getMessage());
    }

    @ParameterizedTest
    @MethodSource("readers")
    void utf8IsReadWithOrWithoutItsByteOrderMark(BiFunction<InputStream, String, ?> reader) {
        assertEquals(reader.apply(utf8("{\"a\": \"\u00e9\"}"), "The document"),
                reader.apply(utf8("\uFEFF{\"a\": \"\u00e9\"}"), "The document"));
    }

    @Test
    void fieldsAreReadInOrderAsPlainValues() {
        Map<String, Object> fields = StrictJson.readFields(utf8(
                "{\"b\": \"text\", \"a\": [true, false, null], \"port\": 587, \"big\": 12345678901, \"nested\": {\"x\": 1}}"),
                "The document");

        assertEquals(List.of("b", "a", "port", "big", "nested"), List.copyOf(fields.keySet()));
        assertEquals("text", fields.get("b"));
        assertEquals(Arrays.asList(true, false, null), fields.get("a"));
        assertEquals(587, fields.get("port"));
        assertEquals(12_345_678_901L, fields.get("big"));
        assertEquals(Map.of("x", 1), fields.get("nested"));
    }

    @Test
    void everyNumberIsWrittenBackAsItWasSent() {
        String document = "{\"n\":[1e999999999,0.1000000000000000055511151231257827,1e2,-0,-0.0,1E-7,"
                + "123456789012345678901234567890,587,-7]}";

        byte[] written = StrictJson.bytes(StrictJson.readFields(utf8(document), "The document"));

        assertEquals(document, new String(written, StandardCharsets.UTF_8));
    }
}
