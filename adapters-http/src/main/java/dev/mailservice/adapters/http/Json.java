package dev.mailservice.adapters.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** JSON bodies: every answer of this service goes out through here, and every request body comes in. */
final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    /**
     * Answers {@code status} with {@code body} as JSON, content type exactly {@code application/json};
     * to a {@code HEAD} request, the same status and headers without the body, as HTTP asks.
     */
    static void send(ServerRequest request, ServerResponse response, Status status, Object body) {
        byte[] bytes = bytes(body);
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        if (request.prologue().method() == Method.HEAD) {
            response.header(HeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length));
            response.send();
        } else {
            response.send(bytes);
        }
    }

    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer bodies are records, maps and strings, which always serialise", e);
        }
    }

    /**
     * The request body as a JSON object. A malformed body is a 400 that gives the line and column
     * but never the text around them: it may be a password.
     */
    static ObjectNode readObject(ServerRequest request) {
        JsonNode body;
        try (InputStream in = request.content().inputStream()) {
            body = MAPPER.readTree(in);
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("The request body is not valid JSON" + at(e.getLocation()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (body instanceof ObjectNode object) {
            return object;
        }
        throw HttpError.badRequest("The request body must be a JSON object");
    }

    /** A JSON object's fields as plain Java values (strings, numbers, booleans, lists, maps, null). */
    static Map<String, Object> toMap(ObjectNode object) {
        return MAPPER.convertValue(object, MAPPER.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1
                ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
