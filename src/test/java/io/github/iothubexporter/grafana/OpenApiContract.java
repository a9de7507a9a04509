package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The simpod JSON data source contract (src/test/resources/contracts/simpod-json-datasource-openapi.yaml, a verbatim
 * copy) and a validator for the part of OpenAPI 3.0's schema language the file uses: $ref, type, properties,
 * required, items, enum, anyOf, oneOf, minItems, maxItems and format date-time. Additional properties are allowed,
 * as OpenAPI's default is.
 *
 * <p>One relaxation, applied in code (the copy stays verbatim): the table case of {@code /query} says
 * {@code rows.items: anyOf [string, number]}, yet its own example, the plugin and Grafana's {@code toDataFrame}
 * all use rows that are arrays of cells. {@link #relaxed()} reads that schema as describing each cell of a row.
 */
final class OpenApiContract {
    static final String RESOURCE = "/contracts/simpod-json-datasource-openapi.yaml";
    private final JsonNode root;

    private OpenApiContract(JsonNode root) {
        this.root = root;
    }

    /** The file as written. */
    static OpenApiContract verbatim() throws IOException {
        try (InputStream in = OpenApiContract.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException(RESOURCE + " is missing from the test classpath");
            }
            return new OpenApiContract(new ObjectMapper(new YAMLFactory()).readTree(in));
        }
    }

    /** The file with the documented relaxation of table rows. */
    static OpenApiContract relaxed() throws IOException {
        OpenApiContract c = verbatim();
        JsonNode root = c.root.deepCopy();
        ObjectNode table = (ObjectNode) root.at("/paths/~1query/post/responses/200/content/application~1json/schema/items/anyOf/1");
        ObjectNode rows = (ObjectNode) table.at("/properties/rows");
        JsonNode cell = rows.get("items");
        if (cell == null || !cell.has("anyOf")) {
            throw new IllegalStateException("the table case no longer looks as expected: " + table);
        }
        rows.set("items", JsonNodeFactory.instance.objectNode().put("type", "array").set("items", cell));
        return new OpenApiContract(root);
    }

    JsonNode root() {
        return root;
    }

    /** Path → methods, e.g. "/query" → ["post"]. */
    Map<String, List<String>> operations() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> methods = new ArrayList<>();
            e.getValue().fieldNames().forEachRemaining(methods::add);
            out.put(e.getKey(), methods);
        }
        return out;
    }

    /** The JSON schema of a request body, or a missing node when the operation has none. */
    JsonNode requestSchema(String path, String method) {
        return root.path("paths").path(path).path(method).path("requestBody").path("content").path("application/json").path("schema");
    }

    /** The JSON schema of a 200 answer, or a missing node when the contract leaves it open. */
    JsonNode responseSchema(String path, String method) {
        return root.path("paths").path(path).path(method).path("responses").path("200").path("content").path("application/json")
                .path("schema");
    }

    /** Errors of {@code value} against {@code schema} (empty = valid), each with a JSON-pointer-like location. */
    List<String> validate(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        validate(schema, value, "$", errors);
        return errors;
    }

    private void validate(JsonNode schema, JsonNode value, String at, List<String> errors) {
        if (schema == null || schema.isMissingNode()) {
            return;
        }
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("external $ref " + ref);
            }
            JsonNode target = root.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new IllegalStateException("unresolved $ref " + ref);
            }
            validate(target, value, at, errors);
            return;
        }
        if (schema.has("anyOf")) {
            List<String> all = new ArrayList<>();
            boolean any = false;
            for (JsonNode alt : schema.get("anyOf")) {
                List<String> e = new ArrayList<>();
                validate(alt, value, at, e);
                any |= e.isEmpty();
                all.addAll(e);
            }
            if (!any) {
                errors.add(at + ": matches none of anyOf " + all);
            }
        }
        if (schema.has("oneOf")) {
            int matching = 0;
            List<String> all = new ArrayList<>();
            for (JsonNode alt : schema.get("oneOf")) {
                List<String> e = new ArrayList<>();
                validate(alt, value, at, e);
                matching += e.isEmpty() ? 1 : 0;
                all.addAll(e);
            }
            if (matching != 1) {
                errors.add(at + ": matches " + matching + " of oneOf, needs exactly 1 " + (matching == 0 ? all : ""));
            }
        }
        if (schema.has("type") && !hasType(value, schema.get("type").asText())) {
            errors.add(at + ": expected " + schema.get("type").asText() + ", got " + value.getNodeType());
            return;
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode option : schema.get("enum")) {
                found |= option.equals(value);
            }
            if (!found) {
                errors.add(at + ": " + value + " is not one of " + schema.get("enum"));
            }
        }
        if (schema.path("format").asText().equals("date-time") && value.isTextual()) {
            try {
                OffsetDateTime.parse(value.asText());
            } catch (DateTimeParseException e) {
                errors.add(at + ": " + value + " is not an RFC 3339 date-time");
            }
        }
        if (value.isObject()) {
            for (JsonNode r : schema.path("required")) {
                if (!value.has(r.asText())) {
                    errors.add(at + ": required property '" + r.asText() + "' is missing");
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (value.has(p.getKey())) {
                    validate(p.getValue(), value.get(p.getKey()), at + "." + p.getKey(), errors);
                }
            }
        }
        if (value.isArray()) {
            ArrayNode a = (ArrayNode) value;
            if (schema.has("minItems") && a.size() < schema.get("minItems").asInt()) {
                errors.add(at + ": " + a.size() + " items, at least " + schema.get("minItems").asInt() + " required");
            }
            if (schema.has("maxItems") && a.size() > schema.get("maxItems").asInt()) {
                errors.add(at + ": " + a.size() + " items, at most " + schema.get("maxItems").asInt() + " allowed");
            }
            if (schema.has("items")) {
                for (int i = 0; i < a.size(); i++) {
                    validate(schema.get("items"), a.get(i), at + "[" + i + "]", errors);
                }
            }
        }
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "number" -> v.isNumber();
            case "integer" -> v.isIntegralNumber();
            case "boolean" -> v.isBoolean();
            default -> throw new IllegalStateException("unknown type " + type);
        };
    }
}
