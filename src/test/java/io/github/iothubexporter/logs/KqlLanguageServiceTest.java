package io.github.iothubexporter.logs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every KQL text the poller sends, checked by Microsoft's Kusto language service (src/test/kusto, installed by
 * scripts/install-test-tools.sh) against the AzureDiagnostics schema: no diagnostics at all, and the result
 * columns the service computes are exactly the ones the poller reads, with the types it expects.
 */
class KqlLanguageServiceTest {
    static final Path KUSTO = Path.of("src", "test", "kusto");
    private static final long T = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli() * Ticks.PER_MILLI;
    @TempDir
    static Path dir;

    @BeforeAll
    static void toolIsInstalled() {
        assertThat(KUSTO.resolve("node_modules/@kusto/language-service-next/Kusto.Language.Bridge.min.js"))
                .as("the Kusto language service is not installed: run scripts/install-test-tools.sh (npm ci in src/test/kusto)")
                .exists();
    }

    /** Runs the checker on named queries; returns name → {diagnostics, columns}. */
    static Map<String, JsonObject> check(Map<String, String> queries) throws Exception {
        JsonArray qs = new JsonArray();
        queries.forEach((name, text) -> qs.add(new JsonObject().put("name", name).put("text", text)));
        Path in = Files.createTempFile(dir, "kql", ".json");
        Files.writeString(in, new JsonObject().put("table", "AzureDiagnostics")
                .put("schema", Files.readString(KUSTO.resolve("AzureDiagnostics.schema")).strip())
                .put("queries", qs).encode());
        Process p = new ProcessBuilder("node", KUSTO.resolve("kql-check.js").toString(), in.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kql-check.js exit code").isZero();
        Map<String, JsonObject> result = new LinkedHashMap<>();
        for (Object o : new JsonArray(new String(out, StandardCharsets.UTF_8))) {
            JsonObject j = (JsonObject) o;
            result.put(j.getString("name"), j);
        }
        return result;
    }

    private static List<String> columns(JsonObject r) {
        List<String> out = new ArrayList<>();
        for (Object c : r.getJsonArray("columns")) {
            out.add(((JsonObject) c).getString("name") + ":" + ((JsonObject) c).getString("type"));
        }
        return out;
    }

    @Test
    void everyQueryShapeIsValidAndYieldsExactlyTheColumnsThePollerReads() throws Exception {
        KqlQueries all = new KqlQueries(List.of());
        KqlQueries some = new KqlQueries(List.of("contoso-hub", "Hub-2"));
        long[] repair = {T - 3 * Ticks.PER_SECOND, T - 2 * Ticks.PER_SECOND, T - 170 * Ticks.PER_SECOND};
        Map<String, String> fetches = new LinkedHashMap<>();
        fetches.put("fetch", all.fetch(T, T + 60 * Ticks.PER_SECOND, T, new long[0], 20_000));
        fetches.put("fetch-repair", all.fetch(T - 300 * Ticks.PER_SECOND, T + 60 * Ticks.PER_SECOND, T, repair, 20_000));
        fetches.put("fetch-hubs-repair", some.fetch(T - 300 * Ticks.PER_SECOND + 1234567, T + 1, T, repair, 1));
        fetches.put("fetch-page", some.fetch(T + 12345, T + 60 * Ticks.PER_SECOND, T, repair, 500_000));
        Map<String, String> counts = new LinkedHashMap<>();
        counts.put("count", all.count(T - 300 * Ticks.PER_SECOND, T));
        counts.put("count-hubs", some.count(T - 300 * Ticks.PER_SECOND + 1, T + 7));
        Map<String, String> queries = new LinkedHashMap<>(fetches);
        queries.putAll(counts);
        queries.put("control-typo", all.count(T, T + 1).replace("Category", "Categroy"));
        queries.put("control-unknown-table", all.count(T, T + 1).replace("AzureDiagnostics", "AzureDiagnostic"));
        Map<String, JsonObject> r = check(queries);

        List<String> fetchColumns = List.of("IngestionTime:datetime", "TimeGenerated:datetime", "_ResourceId:string",
                "OperationName:string", "Level:string", "ResultType:string", "ResultDescription:string", "properties_s:string");
        assertThat(fetchColumns).extracting(c -> c.substring(0, c.indexOf(':'))).containsExactlyElementsOf(KqlQueries.FETCH_COLUMNS);
        for (String name : fetches.keySet()) {
            assertThat(r.get(name).getJsonArray("diagnostics")).as(name + ":\n" + queries.get(name)).isEmpty();
            assertThat(columns(r.get(name))).as(name).containsExactlyElementsOf(fetchColumns);
        }
        for (String name : counts.keySet()) {
            assertThat(r.get(name).getJsonArray("diagnostics")).as(name + ":\n" + queries.get(name)).isEmpty();
            assertThat(columns(r.get(name))).as(name).containsExactly("Second:datetime", "Records:long");
        }
        assertThat(KqlQueries.COUNT_COLUMNS).containsExactly("Second", "Records");
        // the checker really checks: a misspelled column and an unknown table are caught
        assertThat(r.get("control-typo").getJsonArray("diagnostics").getJsonObject(0).getString("code")).isEqualTo("KS142");
        assertThat(r.get("control-unknown-table").getJsonArray("diagnostics").getJsonObject(0).getString("code")).isEqualTo("KS204");
    }

    @Test
    void userSuppliedHubNamesCannotInjectKql() {
        assertThatThrownBy(() -> new KqlQueries(List.of("hub\") | take 1 //"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KqlQueries(List.of("a b"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(KqlQueries.literal("a\"b\\c'd\n")).isEqualTo("\"a\\\"b\\\\c\\'d\\n\"");
        assertThatThrownBy(() -> KqlQueries.literal("\u0001")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void datetimeLiteralsKeepTicks() {
        assertThat(KqlQueries.datetime(Ticks.parse("2024-05-01T10:15:40.1234567Z"))).isEqualTo("datetime(2024-05-01T10:15:40.1234567Z)");
        assertThat(Ticks.parse("2024-05-01T10:15:40Z")).isEqualTo(Instant.parse("2024-05-01T10:15:40Z").toEpochMilli() * Ticks.PER_MILLI);
        assertThat(Ticks.parse("2024-05-01T12:15:40.5+02:00")).isEqualTo(Instant.parse("2024-05-01T10:15:40.5Z").toEpochMilli() * Ticks.PER_MILLI);
        assertThat(Ticks.parse("2024-02-30T10:15:40Z")).isEqualTo(Ticks.INVALID);
        assertThat(Ticks.parse("soon")).isEqualTo(Ticks.INVALID);
    }
}
