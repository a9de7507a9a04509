package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.iothubexporter.app.RunningExporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.github.iothubexporter.grafana.GrafanaClient.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana backend's content, end to end: events through the real webhook and Connections records through the
 * real parser, classified by the real classifier (genuine outages decided when the event-time watermark passes
 * disconnect + grace), then read through /grafana as Grafana would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrafanaApiTest {
    static final String HUB = "hub-g";
    /** Three hours ago on a whole minute: far enough back that the watermark follows event time, not the clock. */
    final Instant t0 = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MINUTES);
    @TempDir
    static Path dir;
    RunningExporter exporter;
    GrafanaClient grafana;

    Instant at(int minutes) {
        return t0.plus(Duration.ofMinutes(minutes));
    }

    Instant atSeconds(long seconds) {
        return t0.plusSeconds(seconds);
    }

    @BeforeAll
    void scenario() throws Exception {
        exporter = new RunningExporter(dir, Map.of("IOTHUB_EXPORTER_CRITICAL_DEVICES", "down-1",
                "IOTHUB_EXPORTER_GRAFANA_MAXBODYBYTES", "4KiB"));
        grafana = new GrafanaClient(exporter, null);
        // everyone connects at t0; a second hub for the hub filters
        for (String d : List.of("down-1", "down-2", "back-1", "flappy", "twin", "late", "pump-01", "pump-02", "valve-1")) {
            grafana.event(HUB, d, null, true, t0);
        }
        grafana.event(HUB, "gw", "m1", true, t0).event("hub-other", "pump-99", null, true, t0).event("hub-other", "far-1", null, true, t0);
        grafana.send();
        // down-2 runs the .NET SDK (its Connections record says so)
        grafana.records("{\"records\":[" + GrafanaClient.record(HUB, "down-2", atSeconds(1), "deviceConnect", "Information", null,
                ".NET/1.21.2 (.NET Framework 4.8; Windows; X86)") + "]}");
        // back-1 drops at +5 min; flappy drops five times and is back 30 s later each time (transient: far too young for a renewal)
        grafana.event(HUB, "back-1", null, false, at(5)).send();
        for (int k = 0; k < 5; k++) {
            grafana.event(HUB, "flappy", null, false, atSeconds(60 + k * 120L)).event(HUB, "flappy", null, true, atSeconds(90 + k * 120L));
        }
        grafana.send();
        grafana.event(HUB, "down-1", null, false, at(10)).event(HUB, "gw", "m1", false, at(15)).event(HUB, "down-2", null, false, at(20))
                .event("hub-other", "far-1", null, false, at(21)).send();
        // twin's connection is taken over by another client using its identity (400027)
        grafana.records("{\"records\":[" + GrafanaClient.record(HUB, "twin", at(12), "deviceDisconnect", "Error", "400027", null) + "]}");
        // time moves on (the newest event time drives the watermark): every drop above has outlasted the 180 s grace
        grafana.event(HUB, "valve-1", null, false, at(29)).send();
        // back-1 returns after 25 minutes; "late" drops 60 s before the newest event, still within its grace window
        grafana.event(HUB, "back-1", null, true, at(30)).event(HUB, "late", null, false, at(39)).event(HUB, "valve-1", null, true, at(40))
                .send();
    }

    @AfterAll
    void stop() {
        exporter.close();
    }

    private JsonNode frame(String target, String payload) throws Exception {
        return grafana.frame(target, payload, t0, at(60), null);
    }

    private static List<String> identities(List<Map<String, JsonNode>> rows) {
        List<String> out = new ArrayList<>();
        for (Map<String, JsonNode> r : rows) {
            out.add(r.get("device").asText() + (r.get("module").asText().isEmpty() ? "" : "/" + r.get("module").asText()));
        }
        return out;
    }

    @Test
    void offlineDevicesListsGenuineOutagesOldestFirstWithTheTotal() throws Exception {
        JsonNode t = frame("offline_devices", "{\"hub\":\"" + HUB + "\"}");
        List<Map<String, JsonNode>> rows = rows(t);
        // back-1 came back, valve-1 came back after its outage, "late" is still within its grace window
        assertThat(identities(rows)).containsExactly("down-1", "gw/m1", "down-2");
        assertThat(rows.get(0).get("since").asLong()).isEqualTo(at(10).toEpochMilli());
        assertThat(rows.get(0).get("hub").asText()).isEqualTo(HUB);
        assertThat(rows.get(0).get("offline_seconds").asDouble())
                .isCloseTo((System.currentTimeMillis() - at(10).toEpochMilli()) / 1000.0, org.assertj.core.data.Offset.offset(120.0));
        assertThat(rows.get(2).get("sdk").asText()).isEqualTo("dotnet");
        assertThat(rows.get(2).get("sdk_version").asText()).isEqualTo("1.21");
        assertThat(rows.get(0).get("sdk").asText()).isEqualTo("unknown");
        assertThat(t.at("/meta/custom/total").asLong()).isEqualTo(3);
        assertThat(t.path("refId").asText()).isEqualTo("A");
        assertThat(t.at("/columns/0/type").asText()).isEqualTo("time");
        // the same count as the Prometheus gauge
        assertThat(exporter.metric("iothub_devices_offline", "hub", HUB)).isEqualTo(3);
    }

    @Test
    void offlineDevicesAcrossHubsAndBoundedByLimit() throws Exception {
        assertThat(identities(rows(frame("offline_devices", "{}")))).containsExactly("down-1", "gw/m1", "down-2", "far-1");
        JsonNode limited = frame("offline_devices", "{\"limit\":\"2\"}");
        assertThat(identities(rows(limited))).containsExactly("down-1", "gw/m1");
        assertThat(limited.at("/meta/custom/total").asLong()).isEqualTo(4);
        assertThat(limited.at("/meta/notices/0/text").asText()).contains("2").contains("4");
        // a multi-value hub variable arrives as an array; Grafana's All as "$__all"
        assertThat(identities(rows(frame("offline_devices", "{\"hub\":[\"HUB-OTHER\"]}")))).containsExactly("far-1");
        assertThat(identities(rows(frame("offline_devices", "{\"hub\":\"$__all\"}")))).hasSize(4);
        assertThat(rows(frame("offline_devices", "{\"hub\":\"no-such-hub\"}"))).isEmpty();
    }

    @Test
    void adHocFiltersApplyToTheirColumns() throws Exception {
        JsonNode dotnet = grafana.frame("offline_devices", "{}", t0, at(60), "[{\"key\":\"sdk\",\"operator\":\"=\",\"value\":\"dotnet\"}]");
        assertThat(identities(rows(dotnet))).containsExactly("down-2");
        assertThat(dotnet.at("/meta/custom/total").asLong()).isEqualTo(1);
        JsonNode notOther = grafana.frame("offline_devices", "{}", t0, at(60), "[{\"key\":\"hub\",\"operator\":\"!~\",\"value\":\"hub-o.*\"}]");
        assertThat(identities(rows(notOther))).containsExactly("down-1", "gw/m1", "down-2");
        // filters on keys this backend does not offer belong to other data
        assertThat(rows(grafana.frame("offline_devices", "{}", t0, at(60), "[{\"key\":\"City\",\"operator\":\"=\",\"value\":\"Berlin\"}]")))
                .hasSize(4);
        // the pre-2024 plugin sent adhocFilters
        JsonNode legacy = grafana.ok("/grafana/query", GrafanaClient.queryBody("offline_devices", "{}", t0, at(60), null)
                .replace("\"filters\":[]", "\"adhocFilters\":[{\"key\":\"hub\",\"operator\":\"=\",\"value\":\"hub-other\"}]"));
        assertThat(identities(rows(legacy.get(0)))).containsExactly("far-1");
    }

    @Test
    void flappingDevices() throws Exception {
        List<Map<String, JsonNode>> rows = rows(frame("flapping_devices", "{\"hub\":\"" + HUB + "\"}"));
        assertThat(identities(rows)).containsExactly("flappy");
        assertThat(rows.get(0).get("transient_disconnects").asInt()).isEqualTo(5);
        assertThat(rows.get(0).get("window_start").asLong()).isEqualTo(atSeconds(60).toEpochMilli());
        assertThat(rows.get(0).get("last").asLong()).isEqualTo(atSeconds(60 + 4 * 120).toEpochMilli());
        assertThat(rows(frame("flapping_devices", "{\"hub\":\"hub-other\"}"))).isEmpty();
    }

    @Test
    void duplicateIdentitySuspects() throws Exception {
        List<Map<String, JsonNode>> rows = rows(frame("duplicate_identity_suspects", "{}"));
        assertThat(identities(rows)).containsExactly("twin");
        assertThat(rows.get(0).get("takeovers").asInt()).isEqualTo(1);
        assertThat(rows.get(0).get("last").asLong()).isEqualTo(at(12).toEpochMilli());
    }

    @Test
    void deviceState() throws Exception {
        Map<String, JsonNode> down2 = rows(frame("device_state", "{\"hub\":\"HUB-G\",\"device\":\"down-2\"}")).get(0);
        assertThat(down2.get("state").asText()).isEqualTo("offline");
        assertThat(down2.get("last_change").asLong()).isEqualTo(at(20).toEpochMilli());
        assertThat(down2.get("disconnected_since").asLong()).isEqualTo(at(20).toEpochMilli());
        assertThat(down2.get("sdk").asText()).isEqualTo("dotnet");
        assertThat(down2.get("sequence_number").asText()).hasSize(64);
        assertThat(down2.get("last_classified_kind").asText()).isEqualTo("genuine");
        Map<String, JsonNode> back = rows(frame("device_state", "{\"hub\":\"" + HUB + "\",\"device\":\"back-1\"}")).get(0);
        assertThat(back.get("state").asText()).isEqualTo("connected");
        assertThat(back.get("connected_since").asLong()).isEqualTo(at(30).toEpochMilli());
        assertThat(back).doesNotContainKey("disconnected_since");
        Map<String, JsonNode> late = rows(frame("device_state", "{\"hub\":\"" + HUB + "\",\"device\":\"late\"}")).get(0);
        assertThat(late.get("state").asText()).as("within the grace window").isEqualTo("disconnected");
        Map<String, JsonNode> module = rows(frame("device_state", "{\"hub\":\"" + HUB + "\",\"device\":\"gw\",\"module\":\"m1\"}")).get(0);
        assertThat(module.get("module").asText()).isEqualTo("m1");
        Map<String, JsonNode> byLabel = rows(frame("device_state", "{\"hub\":\"" + HUB + "\",\"device\":\"gw/m1\"}")).get(0);
        assertThat(byLabel.get("module").asText()).as("the critical metrics' device label works too").isEqualTo("m1");
        assertThat(module.get("state").asText()).isEqualTo("offline");
        JsonNode missing = frame("device_state", "{\"hub\":\"" + HUB + "\",\"device\":\"nobody\"}");
        assertThat(missing.get("rows")).isEmpty();
        assertThat(missing.at("/meta/notices/0/text").asText()).contains("nobody");
        HttpResponse<String> noDevice = grafana.post("/grafana/query", GrafanaClient.queryBody("device_state", "{\"hub\":\"x\"}", t0, at(60), null));
        assertThat(noDevice.statusCode()).isEqualTo(400);
        assertThat(noDevice.body()).contains("payload.device");
    }

    /** The same scenario through {@code /api/devices} (DESIGN §6: state, history, last errors, SDK). */
    @Test
    void deviceApiGivesStateSdkLastErrorsAndHistory() throws Exception {
        io.vertx.core.json.JsonObject down2 = new io.vertx.core.json.JsonObject(exporter.get("/api/devices/" + HUB + "/down-2").body());
        assertThat(down2.getString("state")).isEqualTo("offline");
        assertThat(down2.getJsonObject("sdk").getString("family")).isEqualTo("dotnet");
        assertThat(down2.getJsonObject("sdk").getString("version")).as("the sdk_version label: major.minor").isEqualTo("1.21");
        assertThat(down2.getString("disconnectedSince")).isEqualTo(at(20).toString());
        assertThat(down2.getJsonArray("history").getJsonObject(0).getString("kind")).isEqualTo("genuine");
        assertThat(down2.getJsonArray("history").getJsonObject(0).containsKey("reconnected")).isFalse();
        io.vertx.core.json.JsonObject back = new io.vertx.core.json.JsonObject(exporter.get("/api/devices/" + HUB + "/back-1").body());
        assertThat(back.getString("state")).isEqualTo("connected");
        assertThat(back.getString("connectedSince")).isEqualTo(at(30).toString());
        assertThat(back.getJsonArray("history").getJsonObject(0).getString("disconnected")).isEqualTo(at(5).toString());
        assertThat(back.getJsonArray("history").getJsonObject(0).getString("reconnected")).isEqualTo(at(30).toString());
        io.vertx.core.json.JsonObject flappy = new io.vertx.core.json.JsonObject(exporter.get("/api/devices/" + HUB + "/flappy").body());
        assertThat(flappy.getJsonArray("history")).hasSize(5);
        io.vertx.core.json.JsonObject twin = new io.vertx.core.json.JsonObject(exporter.get("/api/devices/" + HUB + "/twin").body());
        assertThat(twin.getJsonArray("lastErrors").getJsonObject(0).getInteger("code")).isEqualTo(400027);
        assertThat(twin.getJsonArray("lastErrors").getJsonObject(0).getString("name")).isEqualTo("ConnectionForcefullyClosedOnNewConnection");
        assertThat(twin.getJsonArray("lastErrors").getJsonObject(0).getString("time")).isEqualTo(at(12).toString());
        assertThat(back.getJsonArray("lastErrors")).isEmpty();
        io.vertx.core.json.JsonObject gw = new io.vertx.core.json.JsonObject(exporter.get("/api/devices/" + HUB + "/gw%2Fm1").body());
        assertThat(gw.getString("moduleId")).as("deviceId/moduleId, the critical metrics' label").isEqualTo("m1");
        assertThat(gw.getString("state")).isEqualTo("offline");
    }

    @Test
    void recentDisconnectsByKind() throws Exception {
        List<Map<String, JsonNode>> transients = rows(frame("recent_disconnects", "{\"hub\":\"" + HUB + "\",\"kind\":\"transient\"}"));
        assertThat(transients).hasSize(5).allSatisfy(r -> {
            assertThat(r.get("device").asText()).isEqualTo("flappy");
            assertThat(r.get("duration_seconds").asDouble()).isEqualTo(30.0);
            assertThat(r.get("state").asText()).isEqualTo("reconnected");
        });
        assertThat(transients).extracting(r -> r.get("time").asLong()).isSorted();
        JsonNode noRange = grafana.ok("/grafana/query", "{\"targets\":[{\"refId\":\"X\",\"target\":\"recent_disconnects\","
                + "\"payload\":{\"kind\":\"transient\"}}]}");
        assertThat(rows(noRange.get(0))).as("without a range nothing is cut off").hasSize(5);
        List<Map<String, JsonNode>> genuine = rows(frame("recent_disconnects", "{\"hub\":\"" + HUB + "\",\"kind\":[\"genuine\"]}"));
        assertThat(identities(genuine)).containsExactly("back-1", "down-1", "gw/m1", "down-2", "valve-1");
        assertThat(genuine.get(0).get("duration_seconds").asDouble()).isEqualTo(25 * 60.0);
        assertThat(genuine.get(1).get("state").asText()).isEqualTo("offline");
        List<Map<String, JsonNode>> oneDevice = rows(frame("recent_disconnects", "{\"device\":\"flappy\",\"limit\":2}"));
        assertThat(oneDevice).extracting(r -> r.get("time").asLong())
                .containsExactly(atSeconds(60 + 3 * 120).toEpochMilli(), atSeconds(60 + 4 * 120).toEpochMilli());
        HttpResponse<String> badKind = grafana.post("/grafana/query", GrafanaClient.queryBody("recent_disconnects", "{\"kind\":\"gone\"}",
                t0, at(60), null));
        assertThat(badKind.statusCode()).isEqualTo(400);
        assertThat(badKind.body()).contains("payload.kind").contains("gone");
    }

    @Test
    void outageAnnotations() throws Exception {
        List<Map<String, JsonNode>> rows = rows(frame("outages", "{\"hub\":\"" + HUB + "\"}"));
        assertThat(rows).extracting(r -> r.get("title").asText())
                .containsExactly("offline: back-1", "offline: down-1", "offline: gw/m1", "offline: down-2", "offline: valve-1");
        Map<String, JsonNode> back = rows.get(0);
        assertThat(back.get("time").asLong()).isEqualTo(at(5).toEpochMilli());
        assertThat(back.get("timeEnd").asLong()).isEqualTo(at(30).toEpochMilli());
        assertThat(back.get("text").asText()).contains("back-1").contains("25m 0s");
        assertThat(back.get("tags").asText()).isEqualTo(HUB + ",genuine,unknown");
        Map<String, JsonNode> ongoing = rows.get(1);
        assertThat(ongoing.get("timeEnd").asLong()).as("an ongoing outage reaches the end of the range")
                .isEqualTo(at(60).toEpochMilli());
        assertThat(ongoing.get("tags").asText()).isEqualTo(HUB + ",genuine,unknown,ongoing,critical");
        assertThat(rows.get(3).get("tags").asText()).contains("dotnet");
        // a range after back-1 returned: only what overlaps it
        List<Map<String, JsonNode>> later = rows(grafana.frame("outages", "{\"hub\":\"" + HUB + "\"}", at(31), at(60), null));
        assertThat(later).extracting(r -> r.get("title").asText())
                .containsExactly("offline: down-1", "offline: gw/m1", "offline: down-2", "offline: valve-1");
        // a range before anything dropped
        assertThat(rows(grafana.frame("outages", "{}", t0.minus(Duration.ofHours(1)), t0, null))).isEmpty();
        // critical devices only
        assertThat(rows(frame("outages", "{\"critical\":\"true\"}"))).extracting(r -> r.get("title").asText())
                .containsExactly("offline: down-1");
        // transient disconnects as annotations too, when asked
        assertThat(rows(frame("outages", "{\"kind\":\"transient\",\"device\":\"flappy\"}"))).hasSize(5)
                .allSatisfy(r -> assertThat(r.get("title").asText()).isEqualTo("transient disconnect: flappy"));
    }

    @Test
    void perHubCurrentValues() throws Exception {
        JsonNode out = grafana.ok("/grafana/query", GrafanaClient.queryBody("connected_devices", "{}", t0, at(60), null));
        Map<String, Long> byHub = new java.util.TreeMap<>();
        for (JsonNode s : out) {
            assertThat(s.get("datapoints")).hasSize(1);
            byHub.put(s.get("target").asText(), s.at("/datapoints/0/0").asLong());
            assertThat(s.get("refId").asText()).isEqualTo("A");
        }
        // hub-g: 10 identities connected at t0; down-1, gw/m1, down-2 and late are down now
        assertThat(byHub).containsExactly(Map.entry(HUB, 6L), Map.entry("hub-other", 1L));
        JsonNode offline = grafana.ok("/grafana/query", GrafanaClient.queryBody("offline_devices_count", "{\"hub\":\"hub-other\"}", t0, at(60), null));
        assertThat(offline).hasSize(1);
        assertThat(offline.at("/0/datapoints/0/0").asLong()).isEqualTo(1);
        JsonNode tracked = grafana.ok("/grafana/query", GrafanaClient.queryBody("tracked_devices", "{\"hub\":\"" + HUB + "\"}", t0, at(60), null));
        assertThat(tracked.at("/0/datapoints/0/0").asLong()).isEqualTo(10);
    }

    @Test
    void severalTargetsInOneRequestAnswerInOrderWithTheirRefIds() throws Exception {
        String body = GrafanaClient.queryBody("offline_devices", "{}", t0, at(60), null).replace("\"targets\":[",
                "\"targets\":[{\"refId\":\"Z\",\"target\":\"flapping_devices\"},{\"refId\":\"H\",\"target\":\"outages\",\"hide\":true},"
                        + "{\"refId\":\"E\"},");
        JsonNode out = grafana.ok("/grafana/query", body);
        assertThat(out).extracting(f -> f.get("refId").asText()).containsExactly("Z", "A");
        assertThat(grafana.ok("/grafana/query", "{\"targets\":[]}")).isEmpty();
        assertThat(grafana.ok("/grafana/query", "{}")).isEmpty();
    }

    @Test
    void variables() throws Exception {
        assertThat(values("{\"payload\":{\"target\":\"hubs\"}}")).containsExactly(HUB, "hub-other");
        assertThat(values("{\"payload\":{\"target\":\"devices prefix=pump-\"}}")).containsExactly("pump-01", "pump-02", "pump-99");
        assertThat(values("{\"payload\":{\"target\":\"devices hub=" + HUB + " prefix=pump- limit=1\"}}")).containsExactly("pump-01");
        // "Raw JSON" variables send the parsed object
        assertThat(values("{\"payload\":{\"target\":\"devices\",\"hub\":\"hub-other\"}}")).containsExactly("far-1", "pump-99");
        assertThat(values("{\"payload\":{\"target\":\"devices\",\"prefix\":\"g\"}}")).as("module identities give their device once")
                .containsExactly("gw");
        assertThat(values("{\"payload\":{\"target\":\"offline_devices hub=" + HUB + "\"}}")).containsExactly("down-1", "gw/m1", "down-2");
        assertThat(values("{\"payload\":{\"target\":\"sdks\"}}")).contains("dotnet", "java", "node", "unknown");
        assertThat(values("{\"payload\":{\"target\":\"sdk_versions\"}}")).contains("1.21");
        assertThat(values("{\"payload\":{\"target\":\"kinds\"}}")).containsExactly("token_renewal", "transient", "genuine");
        JsonNode item = grafana.ok("/grafana/variable", "{\"payload\":{\"target\":\"hubs\"}}").get(0);
        assertThat(item.get("__text").asText()).isEqualTo(item.get("__value").asText()).isEqualTo(item.get("text").asText());
        HttpResponse<String> unknown = grafana.post("/grafana/variable", "{\"payload\":{\"target\":\"planets\"}}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("planets").contains("devices");
        assertThat(grafana.post("/grafana/variable", "{\"payload\":{\"target\":\"devices colour=red\"}}").statusCode()).isEqualTo(400);
    }

    private List<String> values(String body) throws Exception {
        List<String> out = new ArrayList<>();
        grafana.ok("/grafana/variable", body).forEach(v -> out.add(v.get("__value").asText()));
        return out;
    }

    @Test
    void tagKeysAndValues() throws Exception {
        List<String> keys = new ArrayList<>();
        grafana.ok("/grafana/tag-keys", "{}").forEach(k -> {
            assertThat(k.get("type").asText()).isEqualTo("string");
            keys.add(k.get("text").asText());
        });
        assertThat(keys).containsExactly("hub", "sdk", "kind");
        List<String> hubs = new ArrayList<>();
        grafana.ok("/grafana/tag-values", "{\"key\":\"hub\"}").forEach(v -> hubs.add(v.get("text").asText()));
        assertThat(hubs).containsExactly(HUB, "hub-other");
        assertThat(grafana.ok("/grafana/tag-values", "{\"key\":\"kind\"}")).hasSize(3);
        assertThat(grafana.ok("/grafana/tag-values", "{\"key\":\"City\"}")).isEmpty();
        assertThat(grafana.post("/grafana/tag-values", "{}").statusCode()).isEqualTo(400);
    }

    @Test
    void metricsAndPayloadOptions() throws Exception {
        List<String> names = new ArrayList<>();
        grafana.ok("/grafana/metrics", "{}").forEach(m -> names.add(m.get("value").asText()));
        assertThat(names).contains("offline_devices", "flapping_devices", "duplicate_identity_suspects", "device_state",
                "recent_disconnects", "outages", "connected_devices", "offline_devices_count");
        assertThat(grafana.post("/grafana/metrics", "").statusCode()).as("the plugin may send no body").isEqualTo(200);
        JsonNode hubs = grafana.ok("/grafana/metric-payload-options", "{\"metric\":\"offline_devices\",\"payload\":{},\"name\":\"hub\"}");
        assertThat(hubs).extracting(o -> o.get("value").asText()).containsExactly(HUB, "hub-other");
        assertThat(grafana.post("/grafana/metric-payload-options", "{\"metric\":\"offline_devices\",\"payload\":{}}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void malformedRequests() throws Exception {
        HttpResponse<String> broken = grafana.post("/grafana/query", "{\"targets\":[{\"target\":\"offline_devices\"");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(GrafanaClient.JSON.readTree(broken.body()).get("error").asText()).startsWith("malformed JSON at line 1");
        HttpResponse<String> notObject = grafana.post("/grafana/query", "[1,2]");
        assertThat(notObject.statusCode()).isEqualTo(400);
        assertThat(notObject.body()).contains("expected a JSON object, got an array");
        assertThat(grafana.post("/grafana/query", "").statusCode()).isEqualTo(400);
        assertThat(grafana.post("/grafana/query", "{} {}").statusCode()).as("trailing content").isEqualTo(400);
        assertThat(grafana.post("/grafana/variable", "{\"payload\":").statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = grafana.post("/grafana/query", GrafanaClient.queryBody("weather", "{}", t0, at(60), null));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown target 'weather'").contains("offline_devices");
        HttpResponse<String> limit = grafana.post("/grafana/query", GrafanaClient.queryBody("offline_devices", "{\"limit\":5000}", t0, at(60), null));
        assertThat(limit.statusCode()).isEqualTo(400);
        assertThat(limit.body()).contains("payload.limit");
        HttpResponse<String> badRange = grafana.post("/grafana/query", "{\"range\":{\"from\":\"yesterday\"},\"targets\":[]}");
        assertThat(badRange.statusCode()).isEqualTo(400);
        assertThat(badRange.body()).contains("range.from");
        HttpResponse<String> badRegex = grafana.post("/grafana/query", GrafanaClient.queryBody("offline_devices", "{}", t0, at(60),
                "[{\"key\":\"hub\",\"operator\":\"=~\",\"value\":\"(\"}]"));
        assertThat(badRegex.statusCode()).isEqualTo(400);
        assertThat(badRegex.body()).contains("regular expression");
    }

    @Test
    void oversizedBodiesGet413() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(5000) + "\"}";
        for (String path : List.of("/grafana/query", "/grafana/metrics", "/grafana/variable")) {
            HttpResponse<String> r = grafana.post(path, big);
            assertThat(r.statusCode()).as(path).isEqualTo(413);
            assertThat(r.body()).contains("grafana.maxBodyBytes");
        }
        assertThat(grafana.post("/grafana/query", "{\"pad\":\"" + "x".repeat(3000) + "\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void routing() throws Exception {
        assertThat(exporter.get("/grafana").statusCode()).isEqualTo(200);
        assertThat(exporter.get("/grafana/").statusCode()).isEqualTo(200);
        HttpResponse<String> get = exporter.get("/grafana/query");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(exporter.get("/grafana/search").statusCode()).isEqualTo(404);
        assertThat(exporter.get("/grafana/search").body()).contains("/grafana/query");
        assertThat(grafana.post("/grafana", "{}").statusCode()).isEqualTo(405);
        // some setups configure the data source URL with a trailing slash
        assertThat(grafana.post("/grafana//metrics", "{}").statusCode()).isEqualTo(200);
    }
}
