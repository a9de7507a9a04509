package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.iothubexporter.TestEvents;
import io.github.iothubexporter.app.RunningExporter;
import io.github.iothubexporter.logs.ConnectionLogParser;
import io.github.iothubexporter.logs.ParsedRecords;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Speaks to a running exporter as Grafana would, and feeds it events and log records through the real parsers. */
final class GrafanaClient {
    static final ObjectMapper JSON = new ObjectMapper();
    final RunningExporter exporter;
    private final String token;
    private final Map<String, Long> seq;
    private final List<String> batch = new ArrayList<>();

    GrafanaClient(RunningExporter exporter, String token) {
        this(exporter, token, new HashMap<>());
    }

    private GrafanaClient(RunningExporter exporter, String token, Map<String, Long> seq) {
        this.exporter = exporter;
        this.token = token;
        this.seq = seq;
    }

    /** A client of another exporter (e.g. restarted on the same state) that continues this one's sequence numbers. */
    GrafanaClient on(RunningExporter other) {
        return new GrafanaClient(other, token, seq);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return token == null ? exporter.post(path, body, "application/json")
                : exporter.post(path, body, "application/json", "Authorization", "Bearer " + token);
    }

    /** POST, expect 200, parse the JSON answer. */
    JsonNode ok(String path, String body) throws Exception {
        HttpResponse<String> r = post(path, body);
        assertThat(r.statusCode()).as(path + " " + body + " → " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    /** A /query request in the shape Grafana sends (reference §1.1), with one target. */
    static String queryBody(String target, String payload, Instant from, Instant to, String filters) {
        return """
                {"app":"dashboard","requestId":"Q102","timezone":"browser","panelId":2,"dashboardUID":"iothub",
                 "range":{"from":"%s","to":"%s","raw":{"from":"now-3h","to":"now"}},
                 "rangeRaw":{"from":"now-3h","to":"now"},"interval":"5s","intervalMs":5000,"maxDataPoints":1920,
                 "targets":[{"refId":"A","datasource":{"type":"simpod-json-datasource","uid":"iothub-json"},
                             "editorMode":"code","target":"%s","payload":%s}],
                 "scopedVars":{"__interval":{"text":"5s","value":"5s"},"__interval_ms":{"text":"5000","value":5000}},
                 "filters":%s,"startTime":1574418203842}""".formatted(from, to, target, payload, filters == null ? "[]" : filters);
    }

    /** The single frame a one-target query answers. */
    JsonNode frame(String target, String payload, Instant from, Instant to, String filters) throws Exception {
        JsonNode out = ok("/grafana/query", queryBody(target, payload, from, to, filters));
        assertThat(out.size()).as(out.toString()).isEqualTo(1);
        return out.get(0);
    }

    /** Table rows as column name → cell maps. */
    static List<Map<String, JsonNode>> rows(JsonNode table) {
        assertThat(table.path("type").asText()).as(table.toString()).isEqualTo("table");
        List<String> columns = new ArrayList<>();
        table.get("columns").forEach(c -> columns.add(c.get("text").asText()));
        List<Map<String, JsonNode>> out = new ArrayList<>();
        for (JsonNode row : table.get("rows")) {
            assertThat(row.size()).isEqualTo(columns.size());
            Map<String, JsonNode> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                m.put(columns.get(i), row.get(i));
            }
            out.add(m);
        }
        return out;
    }

    // ---- feeding -----------------------------------------------------------------------------------------------------

    /** Queues one connection-state event (Event Grid schema) with the identity's next sequence number. */
    GrafanaClient event(String hub, String device, String module, boolean connected, Instant time) {
        long n = seq.merge(hub + "/" + device + "/" + module, 1L, Long::sum);
        batch.add(TestEvents.eventGrid(hub, device, module, connected, n, time));
        return this;
    }

    /** Posts the queued events to the webhook as one batch (answered once applied and durable). */
    void send() throws Exception {
        HttpResponse<String> r = exporter.post("/api/eventgrid", TestEvents.array(batch), "application/json",
                "aeg-event-type", "Notification");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("applied").asInt()).as(r.body()).isEqualTo(batch.size());
        batch.clear();
    }

    /** Connections records (resource-log body) through the real parser and the app's record pipeline. */
    void records(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ParsedRecords parsed = new ConnectionLogParser().parseRecordsBody(bytes, 0, bytes.length);
        assertThat(parsed.rejections()).isEmpty();
        exporter.app().logListeners().onRecords(parsed.records(), "test"); // returns once the facts are applied
    }

    static String record(String hub, String device, Instant time, String operation, String level, String resultType,
                         String sdkVersion) {
        return "{\"time\":\"" + time + "\",\"resourceId\":\"" + TestEvents.topic(hub) + "\",\"operationName\":\"" + operation
                + "\",\"category\":\"Connections\",\"level\":\"" + level + "\""
                + (resultType == null ? "" : ",\"resultType\":\"" + resultType + "\"")
                + ",\"properties\":\"{\\\"deviceId\\\":\\\"" + device + "\\\",\\\"protocol\\\":\\\"Mqtt\\\""
                + (sdkVersion == null ? "" : ",\\\"sdkVersion\\\":\\\"" + sdkVersion + "\\\"") + "}\",\"location\":\"westus\"}";
    }
}
