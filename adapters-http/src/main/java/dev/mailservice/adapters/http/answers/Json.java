package dev.mailservice.adapters.http.answers;

import dev.mailservice.pipeshub.StrictJson;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;

/** JSON bodies: every answer of this service goes out through here, and every request body comes in. */
public final class Json {

    private Json() {}

    /**
     * Answers {@code status} with {@code body} as JSON, content type exactly {@code application/json};
     * to a {@code HEAD} request, the same status and headers without the body, as HTTP asks.
     */
    public static void send(ServerRequest request, ServerResponse response, Status status, Object body) {
        byte[] bytes = StrictJson.bytes(body);
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        if (request.prologue().method() == Method.HEAD) {
            response.header(HeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length));
            response.send();
        } else {
            response.send(bytes);
        }
    }

    /**
     * The request body as a JSON object, read by {@code reader} ({@link StrictJson#readObject} or
     * {@link StrictJson#readFields}). A malformed body is a 400 that gives the line and column but
     * never the text around them: it may be a password.
     */
    public static <T> T readObject(ServerRequest request, BiFunction<InputStream, String, T> reader) {
        try (InputStream in = request.content().inputStream()) {
            return reader.apply(in, "The request body");
        } catch (StrictJson.NotAJsonObjectException e) {
            throw HttpError.badRequest(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
