package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A target's {@code payload} (free JSON from the query editor, with dashboard variables already interpolated: a
 * multi-value variable arrives as an array) read leniently: numbers may come as strings, a single value where a list
 * is allowed, and "all" spelled the ways Grafana spells it. Wrong types fail with a message naming the field.
 */
final class Payload {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** Values meaning "no restriction" for a selector (Grafana's All option, an empty box, a glob). */
    private static final Set<String> ALL = Set.of("", "*", "all", "$__all", ".*");

    private final ObjectNode node;

    Payload(JsonNode node) {
        this.node = node instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    }

    ObjectNode node() {
        return node;
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    /** A single text value (a number is taken as its text), or null when absent or empty. */
    String string(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isArray() && v.size() == 1) {
            v = v.get(0);
        }
        if (!v.isValueNode()) {
            throw new BadRequest("payload." + name + " must be a single value, got " + kind(v));
        }
        String s = v.asText().trim();
        return s.isEmpty() ? null : s;
    }

    /** One or several text values (a string or an array of strings); empty when absent. */
    Set<String> strings(String name) {
        JsonNode v = node.get(name);
        Set<String> out = new LinkedHashSet<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isArray()) {
            for (JsonNode item : v) {
                if (!item.isValueNode() || item.isNull()) {
                    throw new BadRequest("payload." + name + " must be a string or an array of strings, got an array holding "
                            + kind(item));
                }
                add(out, item.asText());
            }
        } else if (v.isValueNode()) {
            // a multi-value variable interpolated into a string: "{a,b}"
            String s = v.asText().trim();
            if (s.startsWith("{") && s.endsWith("}")) {
                for (String part : s.substring(1, s.length() - 1).split(",")) {
                    add(out, part);
                }
            } else {
                add(out, s);
            }
        } else {
            throw new BadRequest("payload." + name + " must be a string or an array of strings, got " + kind(v));
        }
        return out;
    }

    private static void add(Set<String> out, String s) {
        s = s.trim();
        if (!s.isEmpty()) {
            out.add(s);
        }
    }

    /** Hub selector: payload {@code hub} (one or several; hub names compare case-insensitively). */
    Predicate<String> hubs() {
        Set<String> wanted = new LinkedHashSet<>();
        for (String h : strings("hub")) {
            if (ALL.contains(h.toLowerCase(Locale.ROOT))) {
                return h2 -> true;
            }
            wanted.add(h.toLowerCase(Locale.ROOT));
        }
        return wanted.isEmpty() ? h -> true : wanted::contains;
    }

    /** The single hub named by payload {@code hub}, lower-case, or null when absent or "all". */
    String hub() {
        String h = string("hub");
        return h == null || ALL.contains(h.toLowerCase(Locale.ROOT)) ? null : h.toLowerCase(Locale.ROOT);
    }

    int limit() {
        JsonNode v = node.get("limit");
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return DEFAULT_LIMIT;
        }
        long n;
        if (v.isIntegralNumber()) {
            n = v.asLong();
        } else if (v.isTextual() && v.asText().trim().matches("\\d{1,9}")) {
            n = Long.parseLong(v.asText().trim());
        } else {
            n = -1;
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw new BadRequest("payload.limit must be a whole number from 1 to " + MAX_LIMIT + ", got " + v);
        }
        return (int) n;
    }

    /** A yes/no option: true, "true", "yes", "1"; absent → {@code otherwise}. */
    boolean flag(String name, boolean otherwise) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return otherwise;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        String s = v.asText().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new BadRequest("payload." + name + " must be true or false, got " + v);
        };
    }

    static String kind(JsonNode v) {
        if (v.isObject()) {
            return "an object";
        }
        if (v.isArray()) {
            return "an array";
        }
        if (v.isNumber()) {
            return "a number";
        }
        if (v.isBoolean()) {
            return "a boolean";
        }
        if (v.isNull()) {
            return "null";
        }
        return "a string";
    }
}
