package dev.mailservice.adapters.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
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
 * operations and answers it names, whether a real answer matches the schema it gives, and whether
 * the document itself is valid OpenAPI 3.1.
 */
public final class OpenApiDocument {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    /**
     * OpenAPI 3.1's own schema of a document, in the form that also checks every Schema Object in it
     * against OpenAPI's dialect of JSON Schema; read from the class path, where vertx-openapi
     * carries the specification's schemas under their own addresses.
     */
    private static final SchemaLocation OPENAPI_31 = SchemaLocation.of("https://spec.openapis.org/oas/3.1/schema-base/2022-10-07");
    private static final SchemaRegistry OPENAPI_SCHEMAS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12, registry -> registry.schemaIdResolvers(
                    ids -> ids.mapPrefix("https://spec.openapis.org/oas/", "classpath:spec.openapis.org/oas/")));

    private final JsonNode document;

    private OpenApiDocument(JsonNode document) {
        this.document = document;
    }

    public static OpenApiDocument read() {
        try (InputStream yaml = OpenApiDocument.class.getResourceAsStream("/META-INF/openapi.yaml")) {
            return new OpenApiDocument(YAML.readTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document as served: {@code body} in YAML, or in JSON (of which YAML is a superset), parsed strictly. */
    public static OpenApiDocument parse(String body, boolean json) {
        try {
            return new OpenApiDocument(json ? JSON.readTree(body) : YAML.readTree(body));
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new AssertionError("not " + (json ? "JSON" : "YAML") + " at line " + line + ": "
                    + body.lines().skip(Math.max(0, line - 1)).findFirst().orElse(""), e);
        }
    }

    /** Whatever keeps the document from being a valid OpenAPI 3.1 document; empty when nothing does. */
    public List<String> openApi31Problems() {
        try {
            return OPENAPI_SCHEMAS.getSchema(OPENAPI_31).validate(JSON.writeValueAsString(document), InputFormat.JSON)
                    .stream().map(Error::toString).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document parsed: equal to another's when both say the same. */
    public JsonNode tree() {
        return document;
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
