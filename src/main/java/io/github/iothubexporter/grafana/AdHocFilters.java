package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Grafana's ad-hoc filters ({@code filters}, or {@code adhocFilters} from plugin builds before 2024) on the keys this
 * backend offers through {@code /tag-keys}: {@code hub}, {@code sdk} and {@code kind}. Operators {@code =}, {@code !=},
 * {@code =~} and {@code !~} (regular expressions match the whole value, as in Prometheus). A filter applies to the
 * targets that have its column; filters on other keys belong to other data and are ignored.
 */
final class AdHocFilters {
    static final List<String> KEYS = List.of("hub", "sdk", "kind");
    private static final int MAX_REGEX = 256;

    private record Filter(String key, String op, String value, Pattern regex) {
        boolean test(String actual) {
            return switch (op) {
                case "=" -> actual.equals(value);
                case "!=" -> !actual.equals(value);
                case "=~" -> regex.matcher(actual).matches();
                default -> !regex.matcher(actual).matches(); // "!~"
            };
        }
    }

    static final AdHocFilters NONE = new AdHocFilters(List.of());

    private final List<Filter> filters;

    private AdHocFilters(List<Filter> filters) {
        this.filters = filters;
    }

    static AdHocFilters parse(JsonNode request) {
        JsonNode list = request.get("filters");
        if (list == null || list.isNull() || (list.isArray() && list.isEmpty())) {
            list = request.get("adhocFilters");
        }
        if (list == null || list.isNull()) {
            return NONE;
        }
        if (!list.isArray()) {
            throw new BadRequest("filters must be an array of {key, operator, value}, got " + Payload.kind(list));
        }
        List<Filter> out = new ArrayList<>();
        for (JsonNode f : list) {
            if (!f.isObject()) {
                throw new BadRequest("filters must hold objects {key, operator, value}, got " + Payload.kind(f));
            }
            String key = f.path("key").asText("").trim().toLowerCase(Locale.ROOT);
            if (!KEYS.contains(key)) {
                continue;
            }
            String op = f.path("operator").asText("=").trim();
            String value = f.path("value").asText("");
            if (key.equals("hub")) {
                value = value.toLowerCase(Locale.ROOT);
            }
            Pattern regex = null;
            switch (op) {
                case "=", "!=" -> {
                }
                case "=~", "!~" -> {
                    if (value.length() > MAX_REGEX) {
                        throw new BadRequest("filter " + key + " " + op + ": the regular expression is longer than " + MAX_REGEX + " characters");
                    }
                    try {
                        regex = Pattern.compile(value, key.equals("hub") ? Pattern.CASE_INSENSITIVE : 0);
                    } catch (PatternSyntaxException e) {
                        throw new BadRequest("filter " + key + " " + op + " '" + value + "' is not a valid regular expression: "
                                + e.getDescription());
                    }
                }
                default -> throw new BadRequest("filter " + key + ": operator '" + op + "' is not supported; use =, !=, =~ or !~");
            }
            out.add(new Filter(key, op, value, regex));
        }
        return out.isEmpty() ? NONE : new AdHocFilters(out);
    }

    boolean isEmpty() {
        return filters.isEmpty();
    }

    /** Whether there is a filter on {@code key}. */
    boolean on(String key) {
        for (Filter f : filters) {
            if (f.key().equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code value} passes every filter on {@code key} (true without filters on it). */
    boolean accepts(String key, String value) {
        for (Filter f : filters) {
            if (f.key().equals(key) && !f.test(value)) {
                return false;
            }
        }
        return true;
    }
}
