package io.github.iothubexporter.grafana;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The two response forms of the simpod JSON data source that this backend emits (OpenAPI {@code /query}): tables
 * ({@code type: table}, columns, rows of strings and numbers) and time series ({@code target}, {@code datapoints} of
 * [value, epoch ms]). Cells are never null or boolean, so rows stay within the contract's cell types.
 */
final class Frames {
    private Frames() {
    }

    /** A table under construction; {@link #frame()} gives the JSON. */
    static final class Table {
        private final JsonArray columns = new JsonArray();
        private final JsonArray rows = new JsonArray();
        private final String refId;
        private JsonObject meta;

        Table(String refId) {
            this.refId = refId;
        }

        Table time(String name) {
            return column(name, "time");
        }

        Table string(String name) {
            return column(name, "string");
        }

        Table number(String name) {
            return column(name, "number");
        }

        private Table column(String name, String type) {
            columns.add(new JsonObject().put("text", name).put("type", type));
            return this;
        }

        int columnCount() {
            return columns.size();
        }

        /** One row: {@link String}, {@link Number} cells only, one per column. */
        Table row(Object... cells) {
            if (cells.length != columns.size()) {
                throw new IllegalStateException(cells.length + " cells for " + columns.size() + " columns");
            }
            JsonArray row = new JsonArray();
            for (Object c : cells) {
                if (!(c instanceof String) && !(c instanceof Number)) {
                    throw new IllegalStateException("cell " + c + " is neither a string nor a number");
                }
                row.add(c);
            }
            rows.add(row);
            return this;
        }

        int rowCount() {
            return rows.size();
        }

        /**
         * Adds Grafana frame metadata: {@code custom} values (seen in the query inspector) and an informational notice,
         * shown in the panel header, e.g. when a list was cut at its limit.
         */
        Table meta(JsonObject custom, String notice) {
            meta = new JsonObject();
            if (custom != null) {
                meta.put("custom", custom);
            }
            if (notice != null) {
                meta.put("notices", new JsonArray().add(new JsonObject().put("severity", "info").put("text", notice)));
            }
            return this;
        }

        JsonObject frame() {
            JsonObject f = new JsonObject().put("type", "table").put("refId", refId).put("columns", columns).put("rows", rows);
            if (meta != null) {
                f.put("meta", meta);
            }
            return f;
        }
    }

    /** A time series: {@code points} are [value, epoch ms] pairs in ascending time. */
    static JsonObject series(String refId, String target, List<long[]> points, JsonObject tags) {
        JsonArray datapoints = new JsonArray();
        for (long[] p : points) {
            datapoints.add(new JsonArray().add(p[0]).add(p[1]));
        }
        JsonObject s = new JsonObject().put("target", target).put("datapoints", datapoints).put("refId", refId);
        if (tags != null) {
            s.put("tags", tags);
        }
        return s;
    }
}
