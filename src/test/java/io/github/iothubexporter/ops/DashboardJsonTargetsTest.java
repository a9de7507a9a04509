package io.github.iothubexporter.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.iothubexporter.app.RunningExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every panel that reads the exporter's own Grafana data source (simpod-json-datasource) asks for a target the
 * real backend serves, with a payload it accepts: the query Grafana would send is answered with a table.
 */
class DashboardJsonTargetsTest {
    static final String JSON_DATASOURCE = "simpod-json-datasource";

    @TempDir
    Path tmp;

    private static List<JsonNode> jsonTargets() {
        List<JsonNode> out = new ArrayList<>();
        for (Path dashboard : OpsFiles.dashboards()) {
            for (JsonNode panel : OpsFiles.json(dashboard).path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    String type = target.path("datasource").path("type").asText(panel.path("datasource").path("type").asText());
                    if (JSON_DATASOURCE.equals(type)) {
                        out.add(target);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyJsonDatasourcePanelIsAnsweredByTheBackend() throws Exception {
        List<JsonNode> targets = jsonTargets();
        assertThat(targets).extracting(t -> t.path("target").asText())
                .contains("offline_devices", "flapping_devices", "duplicate_identity_suspects");
        try (RunningExporter exporter = new RunningExporter(tmp.resolve("state"), Map.of(
                "IOTHUB_EXPORTER_SIMULATOR_ENABLED", "true", "IOTHUB_EXPORTER_SIMULATOR_DEVICES", "200"))) {
            for (JsonNode target : targets) {
                ObjectNode query = OpsFiles.JSON.createObjectNode();
                query.putArray("targets").add(target.deepCopy());
                query.putObject("range").put("from", "2020-01-01T00:00:00Z").put("to", "2100-01-01T00:00:00Z");
                HttpResponse<String> r = exporter.post("/grafana/query", query.toString(), "application/json");
                assertThat(r.statusCode()).as(target + " -> " + r.body()).isEqualTo(200);
                JsonNode frames = OpsFiles.JSON.readTree(r.body());
                assertThat(frames).as(target.toString()).hasSize(1);
                assertThat(frames.get(0).path("type").asText()).isEqualTo("table");
                assertThat(frames.get(0).path("refId").asText()).isEqualTo(target.path("refId").asText());
                assertThat(frames.get(0).path("columns")).isNotEmpty();
            }
        }
    }
}
