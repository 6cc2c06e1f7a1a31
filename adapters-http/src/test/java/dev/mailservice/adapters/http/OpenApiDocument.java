package dev.mailservice.adapters.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The OpenAPI document the service serves ({@code META-INF/openapi.yaml}), read for tests: which
 * operations and answers it names, and whether a real answer matches the schema it gives.
 */
final class OpenApiDocument {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final JsonNode document;

    private OpenApiDocument(JsonNode document) {
        this.document = document;
    }

    static OpenApiDocument read() {
        try (InputStream yaml = OpenApiDocument.class.getResourceAsStream("/META-INF/openapi.yaml")) {
            return new OpenApiDocument(new ObjectMapper(new YAMLFactory()).readTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every operation, as {@code METHOD path}. */
    Set<String> operations() {
        Set<String> operations = new TreeSet<>();
        document.get("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(operation -> operations.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));
        return operations;
    }

    /** Every documented answer, as {@code METHOD path status}. */
    Set<String> answers() {
        Set<String> answers = new TreeSet<>();
        for (String operation : operations()) {
            Iterator<String> statuses = operationNode(operation).get("responses").fieldNames();
            statuses.forEachRemaining(status -> answers.add(operation + " " + status));
        }
        return answers;
    }

    /**
     * What is wrong with {@code body} as the answer {@code status} of {@code operation}
     * ({@code METHOD path}); empty when it matches the document.
     *
     * @throws AssertionError if the document names no such answer
     */
    List<String> problems(String operation, int status, String body) {
        JsonNode answer = operationNode(operation).get("responses").get(Integer.toString(status));
        if (answer == null) {
            throw new AssertionError(operation + " answered " + status + ", which the document does not name: " + body);
        }
        answer = resolve(answer);
        JsonNode schema = answer.at("/content/application~1json/schema");
        if (schema.isMissingNode()) {
            throw new AssertionError("the document gives no JSON schema for " + operation + " " + status);
        }
        return SCHEMAS.getSchema(standalone(schema), InputFormat.JSON).validate(body, InputFormat.JSON).stream()
                .map(Error::toString).toList();
    }

    private JsonNode operationNode(String operation) {
        String[] methodAndPath = operation.split(" ", 2);
        JsonNode node = document.at("/paths").get(methodAndPath[1]);
        if (node == null || node.get(methodAndPath[0].toLowerCase(Locale.ROOT)) == null) {
            throw new AssertionError("the document does not name " + operation);
        }
        return node.get(methodAndPath[0].toLowerCase(Locale.ROOT));
    }

    /** An answer given as a reference to one of {@code components/responses}, followed. */
    private JsonNode resolve(JsonNode answer) {
        JsonNode reference = answer.get("$ref");
        return reference == null ? answer : document.at(reference.asText().substring(1));
    }

    /** {@code schema} as a schema of its own: the document's schemas under {@code $defs}, its references pointing there. */
    private String standalone(JsonNode schema) {
        ObjectNode standalone = JSON.createObjectNode();
        standalone.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        standalone.set("$defs", document.at("/components/schemas"));
        standalone.setAll((ObjectNode) schema);
        try {
            return JSON.writeValueAsString(standalone).replace("\"#/components/schemas/", "\"#/$defs/");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
