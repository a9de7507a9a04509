package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.iothubexporter.app.RunningExporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint against the simpod-json-datasource OpenAPI contract: the paths it lists are served, the requests
 * sent here (the shapes Grafana sends, reference §1.1) fit its request schemas, and every answer fits its response
 * schema, with the one documented relaxation for table rows ({@link OpenApiContract#relaxed()}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrafanaContractTest {
    static final String HUB = "hub-c";
    final Instant t0 = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MINUTES);
    @TempDir
    static Path dir;
    RunningExporter exporter;
    GrafanaClient grafana;
    OpenApiContract contract;

    @BeforeAll
    void start() throws Exception {
        contract = OpenApiContract.relaxed();
        exporter = new RunningExporter(dir, Map.of());
        grafana = new GrafanaClient(exporter, null);
        grafana.event(HUB, "d1", null, true, t0).event(HUB, "d2", null, true, t0).event(HUB, "flappy", null, true, t0)
                .event(HUB, "twin", null, true, t0).event(HUB, "gw", "m1", true, t0).send();
        for (int k = 0; k < 5; k++) {
            grafana.event(HUB, "flappy", null, false, t0.plusSeconds(60 + k * 120L)).event(HUB, "flappy", null, true, t0.plusSeconds(90 + k * 120L));
        }
        grafana.event(HUB, "d1", null, false, t0.plusSeconds(600)).event(HUB, "d2", null, false, t0.plusSeconds(660)).send();
        grafana.records("{\"records\":[" + GrafanaClient.record(HUB, "twin", t0.plusSeconds(700), "deviceDisconnect", "Error", "400027", null)
                + "]}");
        grafana.event(HUB, "gw", "m1", false, t0.plusSeconds(1200)).send(); // the watermark passes d1's and d2's grace windows
        grafana.event(HUB, "d2", null, true, t0.plusSeconds(1500)).send();  // d2's outage ends; gw/m1's grace runs out
    }

    @AfterAll
    void stop() {
        exporter.close();
    }

    @Test
    void theContractCopyIsVerbatim() throws Exception {
        try (InputStream in = getClass().getResourceAsStream(OpenApiContract.RESOURCE)) {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
            assertThat(sha).isEqualTo("bad74e9634bb3a4de53831163bf27a082c0031d7f97b7ee45c8bcd812762b5e1");
        }
    }

    /** The validator must be able to say no, or the checks below would prove nothing. */
    @Test
    void theValidatorRejectsWhatTheContractRejects() throws Exception {
        JsonNode query = contract.responseSchema("/query", "post");
        assertThat(contract.validate(query, json("[{\"target\":\"a\",\"datapoints\":[[1,1700000000000]]}]"))).isEmpty();
        assertThat(contract.validate(query, json("[{\"target\":\"a\",\"datapoints\":[[1,2,3]]}]"))).isNotEmpty();
        assertThat(contract.validate(query, json("[{\"target\":\"a\",\"datapoints\":[[\"x\",1]]}]"))).isNotEmpty();
        assertThat(contract.validate(query, json("[{\"type\":\"table\",\"columns\":[{\"text\":\"a\"}]}]"))).as("no rows").isNotEmpty();
        assertThat(contract.validate(query, json("[{\"type\":\"grid\",\"columns\":[],\"rows\":[]}]"))).isNotEmpty();
        assertThat(contract.validate(query, json("[{\"type\":\"table\",\"columns\":[{\"text\":\"a\"}],\"rows\":[[true]]}]")))
                .as("cells are strings or numbers").isNotEmpty();
        assertThat(contract.validate(query, json("[{\"fields\":[]}]"))).isNotEmpty();
        JsonNode variable = contract.responseSchema("/variable", "post");
        assertThat(contract.validate(variable, json("[{\"__text\":\"a\",\"__value\":\"a\"}]"))).as("the schema as written").isNotEmpty();
        assertThat(contract.validate(variable, json("[{\"__text\":\"a\",\"__value\":\"a\",\"text\":\"a\",\"value\":\"a\"}]"))).isEmpty();
        JsonNode metrics = contract.responseSchema("/metrics", "post");
        assertThat(contract.validate(metrics, json("[{\"value\":\"m\"}]"))).as("payloads is required").isNotEmpty();
        assertThat(contract.validate(metrics, json("[{\"value\":\"m\",\"payloads\":[{\"name\":\"p\",\"type\":\"radio\"}]}]"))).isNotEmpty();
        assertThat(contract.validate(contract.requestSchema("/metric-payload-options", "post"), json("{\"metric\":\"m\"}"))).isNotEmpty();
        assertThat(contract.validate(contract.requestSchema("/query", "post"), json("{\"range\":{\"from\":\"yesterday\"}}"))).isNotEmpty();
        // the contract's own examples pass
        JsonNode ops = contract.root().path("paths");
        assertThat(contract.validate(metrics, ops.at("/~1metrics/post/responses/200/content/application~1json/examples/1/value"))).isEmpty();
        assertThat(contract.validate(contract.responseSchema("/metric-payload-options", "post"),
                ops.at("/~1metric-payload-options/post/responses/200/content/application~1json/examples/1/value"))).isEmpty();
        // ... and the table example only with the documented relaxation: as written, rows would be cells
        String table = "[{\"type\":\"table\",\"columns\":[{\"text\":\"Time\",\"type\":\"time\"}],\"rows\":[[1557385723416,\"SE\",123]]}]";
        assertThat(OpenApiContract.verbatim().validate(OpenApiContract.verbatim().responseSchema("/query", "post"), json(table))).isNotEmpty();
        assertThat(contract.validate(query, json(table))).isEmpty();
    }

    @Test
    void everyPathOfTheContractIsServed() throws Exception {
        Map<String, List<String>> ops = contract.operations();
        assertThat(ops.keySet()).containsExactlyInAnyOrder("/", "/metrics", "/metric-payload-options", "/query", "/variable",
                "/tag-keys", "/tag-values");
        for (Map.Entry<String, List<String>> op : ops.entrySet()) {
            for (String method : op.getValue()) {
                String path = op.getKey().equals("/") ? "/grafana" : "/grafana" + op.getKey();
                int status = method.equals("get") ? exporter.get(path).statusCode() : grafana.post(path, requestFor(op.getKey())).statusCode();
                assertThat(status).as(method + " " + path).isEqualTo(200);
            }
        }
    }

    /** A valid request for each operation, checked against the contract's request schema. */
    private String requestFor(String path) throws Exception {
        String body = switch (path) {
            case "/metrics" -> "{\"metric\":\"DescribeCloudWatchDataList\",\"payload\":{\"namespace\":\"AWS/RDS\"}}";
            case "/metric-payload-options" -> "{\"metric\":\"offline_devices\",\"payload\":{},\"name\":\"hub\"}";
            case "/query" -> GrafanaClient.queryBody("offline_devices", "{}", t0, t0.plusSeconds(3600), null);
            case "/variable" -> variableBody("hubs");
            case "/tag-keys" -> "{}";
            case "/tag-values" -> "{\"key\":\"hub\"}";
            default -> throw new IllegalArgumentException(path);
        };
        assertThat(contract.validate(contract.requestSchema(path, "post"), json(body))).as("request for " + path).isEmpty();
        return body;
    }

    private String variableBody(String target) {
        return "{\"payload\":{\"target\":\"" + target + "\"},\"range\":{\"from\":\"" + t0 + "\",\"to\":\"" + t0.plusSeconds(3600)
                + "\",\"raw\":{\"from\":\"now-2h\",\"to\":\"now\"}}}";
    }

    private JsonNode checked(String path, String body) throws Exception {
        assertThat(contract.validate(contract.requestSchema(path, "post"), json(body))).as("request " + body).isEmpty();
        JsonNode out = grafana.ok("/grafana" + path, body);
        assertThat(contract.validate(contract.responseSchema(path, "post"), out)).as(path + " → " + out).isEmpty();
        return out;
    }

    @Test
    void health() throws Exception {
        HttpResponse<String> r = exporter.get("/grafana");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body()).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void metricsAnswer() throws Exception {
        JsonNode out = checked("/metrics", "{\"metric\":\"DescribeCloudWatchDataList\",\"payload\":{\"namespace\":\"AWS/RDS\"}}");
        assertThat(out.size()).isGreaterThanOrEqualTo(9);
        checked("/metrics", "{}");
    }

    @Test
    void metricPayloadOptionsAnswer() throws Exception {
        for (String name : List.of("hub", "kind", "critical", "limit", "sdk", "metric")) {
            checked("/metric-payload-options", "{\"metric\":\"offline_devices\",\"payload\":{\"hub\":\"" + HUB + "\"},\"name\":\"" + name + "\"}");
        }
        assertThat(checked("/metric-payload-options", "{\"metric\":\"outages\",\"payload\":{},\"name\":\"hub\"}")).hasSize(1);
    }

    @Test
    void queryAnswersForEveryTarget() throws Exception {
        JsonNode targets = grafana.ok("/grafana/metrics", "{}");
        int tables = 0;
        int series = 0;
        for (JsonNode t : targets) {
            String name = t.get("value").asText();
            String payload = name.equals("device_state") ? "{\"hub\":\"" + HUB + "\",\"device\":\"d1\"}" : "{}";
            JsonNode out = checked("/query", GrafanaClient.queryBody(name, payload, t0, t0.plusSeconds(3600), null));
            assertThat(out).as(name).isNotEmpty();
            for (JsonNode frame : out) {
                assertThat(frame.get("refId").asText()).as(name).isEqualTo("A");
                if (frame.has("datapoints")) {
                    series++;
                    long previous = 0;
                    for (JsonNode p : frame.get("datapoints")) {
                        assertThat(p.get(1).asLong()).as("epoch ms, ascending").isGreaterThan(1_000_000_000_000L).isGreaterThanOrEqualTo(previous);
                        previous = p.get(1).asLong();
                    }
                } else {
                    tables++;
                    assertThat(frame.get("rows")).as(name + " has content here").isNotEmpty();
                    JsonNode columns = frame.get("columns");
                    for (JsonNode row : frame.get("rows")) {
                        for (int i = 0; i < columns.size(); i++) {
                            if (columns.get(i).path("type").asText().equals("time")) {
                                assertThat(row.get(i).asLong()).as(name + " " + columns.get(i)).isGreaterThan(1_000_000_000_000L);
                            }
                        }
                    }
                }
            }
        }
        assertThat(tables).isEqualTo(6);
        assertThat(series).isEqualTo(3);
    }

    @Test
    void annotationQueriesGiveTheFieldsGrafanaReads() throws Exception {
        JsonNode frame = checked("/query", GrafanaClient.queryBody("outages", "{}", t0, t0.plusSeconds(3600), null)).get(0);
        List<String> names = new java.util.ArrayList<>();
        frame.get("columns").forEach(c -> names.add(c.get("text").asText()));
        assertThat(names).containsExactly("time", "timeEnd", "title", "text", "tags");
        assertThat(frame.at("/columns/0/type").asText()).isEqualTo("time");
        assertThat(frame.at("/columns/1/type").asText()).isEqualTo("time");
        assertThat(frame.get("rows")).hasSize(3); // d1 and gw/m1 ongoing, d2 ended
    }

    @Test
    void variableAnswers() throws Exception {
        for (String q : List.of("hubs", "sdks", "sdk_versions", "kinds", "devices", "devices prefix=d", "offline_devices")) {
            JsonNode out = checked("/variable", variableBody(q));
            if (!q.equals("sdk_versions")) {
                assertThat(out).as(q).isNotEmpty();
            }
        }
    }

    @Test
    void tagAnswers() throws Exception {
        assertThat(checked("/tag-keys", "{}")).hasSize(3);
        JsonNode values = checked("/tag-values", "{\"key\":\"hub\"}");
        // the contract leaves this answer open; the plugin's README shape is [{"text": ...}]
        assertThat(values).hasSize(1);
        assertThat(values.get(0).get("text").asText()).isEqualTo(HUB);
    }

    /** Grafana sends more than the contract lists; unknown fields are ignored, not refused. */
    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String body = GrafanaClient.queryBody("offline_devices", "{\"hub\":\"" + HUB + "\",\"colour\":\"blue\"}", t0, t0.plusSeconds(3600),
                null).replace("\"app\":\"dashboard\"", "\"app\":\"dashboard\",\"somethingNew\":{\"x\":[1,2]}");
        assertThat(GrafanaClient.rows(checked("/query", body).get(0))).hasSize(2); // d1 and gw/m1 are offline
    }

    private static JsonNode json(String s) throws Exception {
        return GrafanaClient.JSON.readTree(s);
    }
}
