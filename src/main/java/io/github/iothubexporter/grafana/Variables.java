package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.iothubexporter.classify.DisconnectKind;
import io.github.iothubexporter.classify.SdkFamily;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /variable}: values for dashboard variables of type Query. The query is a word and optional
 * {@code key=value} options, e.g. {@code devices hub=contoso-hub prefix=pump- limit=50}; with the variable's
 * "Raw JSON" switch on, the same as JSON: {@code {"target":"devices","hub":"contoso-hub","prefix":"pump-"}}.
 */
final class Variables {
    static final Map<String, String> QUERIES = Map.of(
            "hubs", "hub names",
            "sdks", "SDK families",
            "sdk_versions", "SDK versions seen in Connections logs",
            "kinds", "disconnect kinds",
            "devices", "device IDs, sorted; options hub=, prefix=, limit= (default 100, at most 1000)",
            "offline_devices", "devices offline now (device or device/module), oldest outage first; options hub=, limit=");

    private final GrafanaSources sources;
    private final DeviceSearch search;

    Variables(GrafanaSources sources, DeviceSearch search) {
        this.sources = sources;
        this.search = search;
    }

    /** The variable's values; fails with {@link BadRequest} for a query it does not know. */
    CompletableFuture<List<String>> values(JsonNode body) {
        Payload p = parse(body);
        String what = p.string("target");
        if (what == null) {
            throw new BadRequest("payload.target is missing: use one of " + String.join(", ", new java.util.TreeSet<>(QUERIES.keySet())));
        }
        return switch (what.toLowerCase(Locale.ROOT)) {
            case "hubs" -> done(List.of(sources.writer().store().stats().hubs()));
            case "sdks" -> {
                List<String> out = new ArrayList<>();
                for (SdkFamily f : SdkFamily.values()) {
                    out.add(f.label());
                }
                yield done(out);
            }
            case "sdk_versions" -> done(sources.classifier().versions().list().stream().filter(v -> !v.isEmpty()).sorted().toList());
            case "kinds" -> {
                List<String> out = new ArrayList<>();
                for (DisconnectKind k : DisconnectKind.values()) {
                    out.add(k.label());
                }
                yield done(out);
            }
            case "devices" -> {
                String prefix = p.string("prefix");
                yield search.devices(p.hub(), prefix == null ? "" : prefix, p.limit());
            }
            case "offline_devices" -> done(sources.log().offline(p.hubs(), null, p.limit()).devices().stream()
                    .map(DisconnectLog.Disconnect::label).distinct().toList());
            default -> throw new BadRequest("unknown variable query '" + what + "': use one of "
                    + String.join(", ", new java.util.TreeSet<>(QUERIES.keySet())));
        };
    }

    private static CompletableFuture<List<String>> done(List<String> values) {
        return CompletableFuture.completedFuture(values);
    }

    /**
     * The variable's query as a {@link Payload}: {@code payload.target} (a text query) or the raw-JSON payload; older
     * plugin builds sent {@code target} at the top level or the payload as a string.
     */
    static Payload parse(JsonNode body) {
        JsonNode payload = body.get("payload");
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        String text = null;
        if (payload == null || payload.isNull()) {
            text = body.path("target").asText(null);
        } else if (payload.isTextual()) {
            text = payload.asText();
        } else if (payload.isObject()) {
            out.setAll((ObjectNode) payload);
            JsonNode target = payload.get("target");
            if (target == null) {
                target = payload.get("query");
            }
            text = target == null || target.isNull() ? null : target.asText();
        } else {
            throw new BadRequest("payload must be an object such as {\"target\": \"hubs\"}, got " + Payload.kind(payload));
        }
        if (text != null) {
            String[] words = text.trim().split("\\s+");
            out.put("target", words[0]);
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq <= 0) {
                    throw new BadRequest("variable query '" + text.trim() + "': expected key=value options after '" + words[0]
                            + "', got '" + words[i] + "'");
                }
                String key = words[i].substring(0, eq);
                if (!List.of("hub", "prefix", "limit").contains(key)) {
                    throw new BadRequest("variable query '" + text.trim() + "': unknown option '" + key + "' (hub, prefix, limit)");
                }
                if (!out.has(key)) { // the raw JSON's own field wins
                    out.put(key, words[i].substring(eq + 1));
                }
            }
        }
        return new Payload(out);
    }
}
