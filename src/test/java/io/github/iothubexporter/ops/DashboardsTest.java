package io.github.iothubexporter.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * dashboards/: every dashboard validates against Grafana's dashboard JSON schema (draft-07, from the Grafana
 * foundation SDK) and passes the dashboard-linter-style rules the schema cannot express; the provisioning files
 * provide exactly the data sources the dashboards reference.
 */
class DashboardsTest {
    private static final String SCHEMA = "/contracts/grafana-dashboard-v1.jsonschema.json";
    private static final String SCHEMA_SHA256 = "67451cd5b288f97e3f68eccd52ffa4f75151fc87c669b8cd93c051056b294265";
    private static final Set<String> GLOBAL_VARIABLES = Set.of("__interval", "__interval_ms", "__range", "__range_s",
            "__range_ms", "__rate_interval", "__from", "__to", "__dashboard", "__org", "__user", "__timezone", "__all");
    /** Targets of the exporter's /grafana backend (simpod-json-datasource) the dashboards may use. */
    private static final Set<String> EXPORTER_TARGETS = Set.of("offline_devices", "flapping_devices", "duplicate_identity_suspects");

    /** Metrics with a hub label that the dashboard's hub variable must filter (events_rejected has none). */
    private static final Pattern PER_HUB_METRIC = Pattern.compile(
            "\\biothub_(devices_[a-z_]+|disconnects_total|reconnect_duration_seconds_[a-z]+|connection_[a-z_]+|critical_[a-z_]+)");

    private static Schema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        JsonNode s;
        try (InputStream in = DashboardsTest.class.getResourceAsStream(SCHEMA)) {
            assertThat(in).as(SCHEMA).isNotNull();
            s = OpsFiles.JSON.readTree(in);
        }
        ObjectNode defs = (ObjectNode) s.get("definitions");
        // Relaxations of generator artifacts, applied here because the copied file stays byte-for-byte (grafana/cog
        // renders CUE's "any" (`_`) as "an object whose values are objects" or "an object"):
        // 1. VariableModel.query.oneOf[1] would reject every object query ({"query": "...", "refId": "..."});
        //    shared/reference/grafana-prometheus.md §2.2.
        JsonNode oneOf = defs.path("VariableModel").path("properties").path("query").path("oneOf");
        assertThat(oneOf.get(1).path("additionalProperties").path("type").asText()).isEqualTo("object");
        ((ArrayNode) oneOf).set(1, OpsFiles.JSON.createObjectNode().put("type", "object"));
        // 2. MatcherConfig.options and DynamicConfigValue.value are `any` in Grafana (a byName override is
        //    {"id": "byName", "options": "<field name>"}, a unit override {"id": "unit", "value": "s"}).
        ((ObjectNode) defs.path("MatcherConfig").path("properties")).set("options", OpsFiles.JSON.createObjectNode());
        ((ObjectNode) defs.path("DynamicConfigValue").path("properties")).set("value", OpsFiles.JSON.createObjectNode());
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(OpsFiles.JSON.writeValueAsString(s), InputFormat.JSON);
    }

    private static List<String> validate(JsonNode dashboard) throws Exception {
        List<String> out = new ArrayList<>();
        for (Error e : schema.validate(OpsFiles.JSON.writeValueAsString(dashboard), InputFormat.JSON)) {
            out.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        return out;
    }

    @Test
    void theSchemaIsTheVerbatimCopy() throws Exception {
        byte[] bytes;
        try (InputStream in = DashboardsTest.class.getResourceAsStream(SCHEMA)) {
            bytes = in.readAllBytes();
        }
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))).isEqualTo(SCHEMA_SHA256);
        Path shared = OpsFiles.root().resolve("../shared/contracts/grafana-dashboard-v1.jsonschema.json").normalize();
        if (Files.isRegularFile(shared)) { // the project workspace's contract folder, when present
            assertThat(Files.readAllBytes(shared)).isEqualTo(bytes);
        }
    }

    @Test
    void everyDashboardValidatesAgainstTheSchema() throws Exception {
        List<Path> dashboards = OpsFiles.dashboards();
        assertThat(dashboards).isNotEmpty();
        for (Path d : dashboards) {
            assertThat(validate(OpsFiles.json(d))).as(d.getFileName().toString()).isEmpty();
        }
    }

    @Test
    void theSchemaStillRejectsWhatGrafanaRejects() throws Exception {
        JsonNode good = OpsFiles.json(OpsFiles.dashboards().get(0));
        assertThat(validate(mutate(good, d -> ((ObjectNode) d).put("style", "dark")))).as("legacy 'style'").isNotEmpty();
        assertThat(validate(mutate(good, d -> ((ObjectNode) d).remove("templating")))).as("no templating").isNotEmpty();
        assertThat(validate(mutate(good, d -> ((ObjectNode) firstPanel(d, "timeseries").get("gridPos")).put("w", 30))))
                .as("gridPos.w = 30").isNotEmpty();
        assertThat(validate(mutate(good, d -> ((ObjectNode) firstPanel(d, "timeseries")).put("datasource", "Prometheus"))))
                .as("string datasource").isNotEmpty();
        assertThat(validate(mutate(good, d -> ((ObjectNode) firstPanel(d, "timeseries")).put("legend", true))))
                .as("unknown panel property").isNotEmpty();
    }

    private interface Mutation {
        void apply(JsonNode dashboard);
    }

    private static JsonNode mutate(JsonNode d, Mutation m) {
        JsonNode copy = d.deepCopy();
        m.apply(copy);
        return copy;
    }

    private static JsonNode firstPanel(JsonNode d, String type) {
        for (JsonNode p : d.path("panels")) {
            if (type.equals(p.path("type").asText())) {
                return p;
            }
        }
        throw new AssertionError("no " + type + " panel");
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            out.add(p);
            p.path("panels").forEach(out::add);
        });
        return out;
    }

    @Test
    void dashboardsFollowTheLinterRules() {
        Set<String> uids = new HashSet<>();
        Set<String> provisioned = provisionedUids();
        Pattern variable = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");
        List<String> problems = new ArrayList<>();
        for (Path file : OpsFiles.dashboards()) {
            String f = file.getFileName().toString();
            JsonNode d = OpsFiles.json(file);
            String uid = d.path("uid").asText();
            if (!uid.matches("[A-Za-z0-9_-]{1,40}") || !uids.add(uid)) {
                problems.add(f + ": uid '" + uid + "' must be unique, at most 40 letters, digits, '-' or '_'");
            }
            if (d.has("id") && !d.get("id").isNull()) {
                problems.add(f + ": provisioned dashboards carry no id");
            }
            Set<String> defined = new TreeSet<>(GLOBAL_VARIABLES);
            int datasourceVariables = 0;
            for (JsonNode v : d.path("templating").path("list")) {
                defined.add(v.path("name").asText());
                if ("datasource".equals(v.path("type").asText())) {
                    datasourceVariables++;
                    if (!"datasource".equals(v.path("name").asText()) || !"prometheus".equals(v.path("query").asText())) {
                        problems.add(f + ": the datasource variable is named 'datasource' and lists prometheus");
                    }
                }
                checkDatasource(f + " variable " + v.path("name").asText(), v.path("datasource"), provisioned, problems,
                        !"datasource".equals(v.path("type").asText()));
            }
            if (datasourceVariables != 1) {
                problems.add(f + ": exactly one datasource template variable");
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                checkDatasource(f + " annotation " + a.path("name").asText(), a.path("datasource"), provisioned, problems, false);
            }
            Set<Integer> ids = new HashSet<>();
            List<int[]> boxes = new ArrayList<>();
            for (JsonNode p : panels(d)) {
                String where = f + " panel \"" + p.path("title").asText() + "\"";
                if (!ids.add(p.path("id").asInt(-1)) || p.path("id").asInt(-1) < 1) {
                    problems.add(where + ": panel ids are unique positive numbers");
                }
                JsonNode g = p.path("gridPos");
                int x = g.path("x").asInt(), y = g.path("y").asInt(), w = g.path("w").asInt(), h = g.path("h").asInt();
                if (x + w > 24 || w < 1 || h < 1) {
                    problems.add(where + ": gridPos must fit 24 columns");
                }
                for (int[] b : boxes) {
                    if (x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h) {
                        problems.add(where + ": overlaps another panel");
                    }
                }
                boxes.add(new int[]{x, y, w, h});
                if (p.path("title").asText().isBlank()) {
                    problems.add(where + ": title missing");
                }
                if ("row".equals(p.path("type").asText())) {
                    continue;
                }
                if (p.path("description").asText().isBlank()) {
                    problems.add(where + ": description missing");
                }
                if (p.path("fieldConfig").path("defaults").path("unit").asText().isBlank()) {
                    problems.add(where + ": unit missing");
                }
                checkDatasource(where, p.path("datasource"), provisioned, problems, true);
                if (p.path("targets").isEmpty()) {
                    problems.add(where + ": no targets");
                }
                for (JsonNode t : p.path("targets")) {
                    checkDatasource(where + " target " + t.path("refId").asText(), t.path("datasource"), provisioned, problems, true);
                    if (!t.path("datasource").equals(p.path("datasource"))) {
                        problems.add(where + ": targets use the panel's datasource");
                    }
                    String text = t.path("expr").asText() + " " + t.path("target").asText() + " " + t.path("payload").asText()
                            + " " + t.path("legendFormat").asText("").replaceAll("\\{\\{[^}]*}}", "");
                    Matcher m = variable.matcher(text);
                    while (m.find()) {
                        if (!defined.contains(m.group(1))) {
                            problems.add(where + ": undefined variable $" + m.group(1));
                        }
                    }
                    String expr = t.path("expr").asText();
                    Matcher range = Pattern.compile("\\b(rate|increase|irate|delta)\\(([^\\[]*)\\[([^]]*)]").matcher(expr);
                    while (range.find()) {
                        String r = range.group(3);
                        boolean ok = r.equals("$__rate_interval") || (r.equals("$__range") && range.group(1).equals("increase"));
                        if (!ok) {
                            problems.add(where + ": " + range.group(1) + "() over [" + r + "]: use $__rate_interval ($__range for totals)");
                        }
                    }
                    Matcher perHub = PER_HUB_METRIC.matcher(expr);
                    while (perHub.find()) {
                        int end = perHub.end();
                        int close = expr.indexOf('}', end);
                        if (end >= expr.length() || expr.charAt(end) != '{' || close < 0
                                || !expr.substring(end, close).contains("hub=~\"$hub\"")) {
                            problems.add(where + ": " + perHub.group() + " is not filtered by hub=~\"$hub\"");
                        }
                    }
                    if ("simpod-json-datasource".equals(t.path("datasource").path("type").asText())
                            && !EXPORTER_TARGETS.contains(t.path("target").asText())) {
                        problems.add(where + ": unknown exporter target '" + t.path("target").asText() + "'");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    private static void checkDatasource(String where, JsonNode ds, Set<String> provisioned, List<String> problems, boolean required) {
        if (ds.isMissingNode() && !required) {
            return;
        }
        String type = ds.path("type").asText();
        String uid = ds.path("uid").asText();
        boolean ok = switch (type) {
            case "prometheus" -> uid.equals("${datasource}");
            case "simpod-json-datasource" -> provisioned.contains(uid);
            case "grafana" -> uid.equals("-- Grafana --");
            default -> false;
        };
        if (!ok) {
            problems.add(where + ": datasource " + ds + " is neither ${datasource} (Prometheus) nor a provisioned uid");
        }
    }

    private static Set<String> provisionedUids() {
        Set<String> uids = new TreeSet<>();
        for (JsonNode ds : OpsFiles.yaml(OpsFiles.file("dashboards/provisioning/datasources/iothub-datasources.yml")).path("datasources")) {
            uids.add(ds.path("uid").asText());
        }
        return uids;
    }

    @Test
    void provisioningMatchesTheDashboards() {
        JsonNode ds = OpsFiles.yaml(OpsFiles.file("dashboards/provisioning/datasources/iothub-datasources.yml"));
        assertThat(ds.path("apiVersion").asInt()).isEqualTo(1);
        List<String> types = new ArrayList<>();
        for (JsonNode d : ds.path("datasources")) {
            types.add(d.path("type").asText() + " " + d.path("uid").asText() + " " + d.path("url").asText());
            assertThat(d.path("access").asText()).as("server-side access").isEqualTo("proxy");
        }
        assertThat(types).containsExactlyInAnyOrder(
                "prometheus " + OpsFiles.PROMETHEUS_UID + " http://prometheus:9090",
                "simpod-json-datasource " + OpsFiles.EXPORTER_JSON_UID + " http://exporter:9786/grafana");
        JsonNode providers = OpsFiles.yaml(OpsFiles.file("dashboards/provisioning/dashboards/iothub-dashboards.yml"));
        assertThat(providers.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(providers.path("providers").size()).isEqualTo(1);
        JsonNode p = providers.path("providers").get(0);
        assertThat(p.path("type").asText()).isEqualTo("file");
        assertThat(p.path("options").path("path").asText()).isEqualTo(OpsFiles.GRAFANA_DASHBOARDS_PATH);
        // the datasource variable's default is the provisioned Prometheus
        for (Path f : OpsFiles.dashboards()) {
            for (JsonNode v : OpsFiles.json(f).path("templating").path("list")) {
                if ("datasource".equals(v.path("type").asText())) {
                    assertThat(v.path("current").path("value").asText()).isEqualTo(OpsFiles.PROMETHEUS_UID);
                }
            }
        }
    }

    @Test
    void theDashboardCoversTheFleetOverview() {
        // DESIGN §1/§8: connected/tracked/offline per hub, disconnects by kind/SDK/version, reconnect heatmap and
        // quantiles, error codes by kind, devices by SDK, Log Analytics and Event Hubs health, critical devices,
        // and one table from the exporter's own data source.
        StringBuilder all = new StringBuilder();
        Set<String> types = new TreeSet<>();
        for (Path f : OpsFiles.dashboards()) {
            for (JsonNode p : panels(OpsFiles.json(f))) {
                types.add(p.path("type").asText());
                p.path("targets").forEach(t -> all.append(t.path("expr").asText()).append(' ').append(t.path("target").asText()).append('\n'));
            }
        }
        assertThat(types).contains("heatmap", "table", "stat", "timeseries", "state-timeline");
        assertThat(all.toString()).contains("iothub_devices_connected", "iothub_devices_tracked", "iothub_devices_offline",
                "sum by (kind) (rate(iothub_disconnects_total", "sdk_version", "iothub_reconnect_duration_seconds_bucket",
                "histogram_quantile", "sum by (code, name, kind)", "iothub_devices_by_sdk",
                "iothub_loganalytics_last_success_timestamp_seconds", "iothub_eventhubs_consumer_lag_seconds",
                "iothub_critical_device_connected", "iothub_critical_device_offline", "offline_devices");
    }
}
