package io.github.iothubexporter.app;

import io.github.iothubexporter.TestEvents;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Real HTTP against the running service: schemas, handshakes, ordering, identities. */
class WebhookHttpTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00.1234567Z");
    @TempDir
    Path dir;
    private RunningExporter exporter;

    @BeforeEach
    void start() throws Exception {
        exporter = new RunningExporter(dir, Map.of("IOTHUB_EXPORTER_CRITICAL_DEVICES", "pump-*,hub-b/boiler"));
    }

    @AfterEach
    void stop() {
        exporter.close();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return exporter.post("/api/eventgrid", body, "application/json", "aeg-event-type", "Notification");
    }

    @Test
    void eventGridSchemaBatch() throws Exception {
        HttpResponse<String> r = post(TestEvents.array(List.of(
                TestEvents.eventGrid("hub-a", "d1", null, true, 1, T0),
                TestEvents.eventGrid("hub-a", "d2", null, true, 1, T0),
                TestEvents.eventGrid("hub-a", "d3", null, false, 1, T0))));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getInteger("applied")).isEqualTo(3);
        assertThat(exporter.metric("iothub_devices_connected", "hub", "hub-a")).isEqualTo(2);
        assertThat(exporter.metric("iothub_devices_tracked", "hub", "hub-a")).isEqualTo(3);
        assertThat(exporter.metric("iothub_connection_events_total", "hub", "hub-a", "event", "connected", "source", "webhook")).isEqualTo(2);
        assertThat(exporter.metric("iothub_event_processing_delay_seconds_count", "source", "webhook")).isEqualTo(3);
    }

    @Test
    void cloudEventsSingleAndBatch() throws Exception {
        assertThat(exporter.post("/api/eventgrid", TestEvents.cloudEvent("hub-c", "d1", null, true, 1, T0),
                "application/cloudevents+json; charset=utf-8").statusCode()).isEqualTo(200);
        assertThat(exporter.post("/api/eventgrid", TestEvents.array(List.of(
                        TestEvents.cloudEvent("hub-c", "d2", null, true, 1, T0), TestEvents.cloudEvent("hub-c", "d3", null, true, 1, T0))),
                "application/cloudevents-batch+json").statusCode()).isEqualTo(200);
        assertThat(exporter.metric("iothub_devices_connected", "hub", "hub-c")).isEqualTo(3);
    }

    @Test
    void eventGridValidationHandshake() throws Exception {
        HttpResponse<String> r = exporter.post("/api/eventgrid", TestEvents.validation("512d38b6-c7b8-40c8-89fe-f46f9e9622b6"),
                "application/json", "aeg-event-type", "SubscriptionValidation");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(new JsonObject(r.body()).getMap()).containsExactly(Map.entry("validationResponse", "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"));
    }

    @Test
    void cloudEventsOptionsHandshake() throws Exception {
        HttpResponse<String> r = exporter.send(HttpRequest.newBuilder(URI.create(exporter.base + "/api/eventgrid"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("WebHook-Request-Origin", "eventgrid.azure.net")
                .header("WebHook-Request-Rate", "120"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("WebHook-Allowed-Origin")).hasValue("eventgrid.azure.net");
        assertThat(r.headers().firstValue("WebHook-Allowed-Rate")).hasValue("120");
        assertThat(r.headers().firstValue("Allow")).hasValueSatisfying(v -> assertThat(v).contains("POST"));
    }

    @Test
    void shuffledDuplicatedDeliveriesEndInTheExpectedState() throws Exception {
        Random rnd = new Random(11);
        List<String> events = new ArrayList<>();
        Map<String, Boolean> expected = new HashMap<>();
        for (int d = 0; d < 200; d++) {
            int n = 1 + rnd.nextInt(5);
            boolean last = false;
            for (int i = 1; i <= n; i++) {
                last = rnd.nextBoolean();
                // times deliberately disagree with sequence order
                events.add(TestEvents.eventGrid("hub-s", "dev-" + d, null, last, 10L * i, T0.minusSeconds(i * 7L % 5)));
            }
            expected.put("dev-" + d, last);
        }
        List<String> deliveries = new ArrayList<>(events);
        deliveries.addAll(events.subList(0, events.size() / 3)); // at-least-once: duplicates
        Collections.shuffle(deliveries, rnd);
        for (int i = 0; i < deliveries.size(); i += 37) {
            assertThat(post(TestEvents.array(deliveries.subList(i, Math.min(deliveries.size(), i + 37)))).statusCode()).isEqualTo(200);
        }
        long connected = expected.values().stream().filter(b -> b).count();
        assertThat(exporter.metric("iothub_devices_connected", "hub", "hub-s")).isEqualTo(connected);
        assertThat(exporter.metric("iothub_devices_tracked", "hub", "hub-s")).isEqualTo(200);
        double applied = exporter.metric("iothub_connection_events_total", "hub", "hub-s", "event", "connected", "source", "webhook")
                + exporter.metric("iothub_connection_events_total", "hub", "hub-s", "event", "disconnected", "source", "webhook");
        double ignored = exporter.metric("iothub_connection_events_ignored_total", "hub", "hub-s", "reason", "duplicate")
                + exporter.metric("iothub_connection_events_ignored_total", "hub", "hub-s", "reason", "out_of_order");
        assertThat(applied + ignored).isEqualTo(deliveries.size());
        assertThat(exporter.metric("iothub_connection_events_ignored_total", "hub", "hub-s", "reason", "duplicate")).isPositive();
        for (int d = 0; d < 200; d += 13) {
            JsonObject dev = new JsonObject(exporter.get("/api/devices/hub-s/dev-" + d).body());
            assertThat(dev.getBoolean("connected")).as("dev-" + d).isEqualTo(expected.get("dev-" + d));
        }
    }

    @Test
    void moduleIdentitiesAndMissingVersusEmptyModuleId() throws Exception {
        post(TestEvents.array(List.of(
                TestEvents.eventGrid("hub-m", "edge-1", null, true, 1, T0),
                TestEvents.eventGrid("hub-m", "edge-1", "", false, 2, T0),          // same identity as missing
                TestEvents.eventGrid("hub-m", "edge-1", "$edgeAgent", true, 1, T0),
                TestEvents.eventGrid("hub-m", "edge-1", "sensor", true, 1, T0))));
        assertThat(exporter.metric("iothub_devices_tracked", "hub", "hub-m")).isEqualTo(3);
        assertThat(exporter.metric("iothub_devices_connected", "hub", "hub-m")).isEqualTo(2);
        assertThat(new JsonObject(exporter.get("/api/devices/hub-m/edge-1").body()).getBoolean("connected")).isFalse();
        assertThat(new JsonObject(exporter.get("/api/devices/hub-m/edge-1?moduleId=sensor").body()).getBoolean("connected")).isTrue();
        assertThat(exporter.get("/api/devices/hub-m/edge-2").statusCode()).isEqualTo(404);
    }

    @Test
    void hubNamesAreCaseInsensitiveAndExportedLowerCase() throws Exception {
        post(TestEvents.array(List.of(
                TestEvents.eventGrid("MYIOTHUB", "d1", null, true, 1, T0),
                TestEvents.eventGrid("MyIotHub", "d1", null, false, 2, T0),
                TestEvents.eventGrid("myiothub", "d2", null, true, 1, T0))));
        String metrics = exporter.metrics();
        assertThat(metrics).doesNotContain("hub=\"MYIOTHUB\"").doesNotContain("hub=\"MyIotHub\"");
        assertThat(RunningExporter.sample(metrics, "iothub_devices_tracked", "hub", "myiothub")).isEqualTo(2);
        assertThat(RunningExporter.sample(metrics, "iothub_devices_connected", "hub", "myiothub")).isEqualTo(1);
        assertThat(exporter.get("/api/devices/MYIOTHUB/d1").statusCode()).isEqualTo(200);
    }

    @Test
    void equalTimesAreOrderedBySequenceNumber() throws Exception {
        post(TestEvents.array(List.of(
                TestEvents.eventGrid("hub-t", "d", null, false, 0x20, T0),
                TestEvents.eventGrid("hub-t", "d", null, true, 0x1F, T0))));
        assertThat(exporter.metric("iothub_devices_connected", "hub", "hub-t")).isZero();
        assertThat(exporter.metric("iothub_connection_events_ignored_total", "hub", "hub-t", "reason", "out_of_order")).isEqualTo(1);
    }

    @Test
    void criticalDevicesGetPerDeviceSeries() throws Exception {
        post(TestEvents.array(List.of(
                TestEvents.eventGrid("hub-a", "pump-7", null, true, 1, T0),
                TestEvents.eventGrid("hub-b", "boiler", null, false, 1, T0.plusSeconds(60)),
                TestEvents.eventGrid("hub-a", "boiler", null, true, 1, T0),
                TestEvents.eventGrid("hub-a", "edge", "pump-x", true, 1, T0))));
        String m = exporter.metrics();
        assertThat(RunningExporter.sample(m, "iothub_critical_device_connected", "hub", "hub-a", "device", "pump-7")).isEqualTo(1);
        assertThat(RunningExporter.sample(m, "iothub_critical_device_connected", "hub", "hub-b", "device", "boiler")).isZero();
        assertThat(RunningExporter.sample(m, "iothub_critical_device_state_changed_timestamp_seconds", "hub", "hub-b", "device", "boiler"))
                .isEqualTo(T0.plusSeconds(60).toEpochMilli() / 1000.0);
        assertThat(m).doesNotContain("device=\"edge/pump-x\"").doesNotContain("hub=\"hub-a\",device=\"boiler\"");
    }

    @Test
    void landingHealthAndReadiness() throws Exception {
        assertThat(exporter.get("/").body()).contains("/metrics").contains("/api/eventgrid");
        assertThat(exporter.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(exporter.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void badEventsInABatchAreDeadLetteredWhileGoodOnesApply() throws Exception {
        String good = TestEvents.eventGrid("hub-d", "ok", null, true, 1, T0);
        String bad = TestEvents.eventGrid("hub-d", "bad", null, true, 1, T0).replace("\"eventTime\":\"" + T0, "\"eventTime\":\"soon");
        HttpResponse<String> r = post(TestEvents.array(List.of(good, bad)));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getInteger("applied")).isEqualTo(1);
        assertThat(body.getInteger("rejected")).isEqualTo(1);
        assertThat(body.getJsonArray("errors").getJsonObject(0).getString("message")).contains("event[1]").contains("eventTime");
        assertThat(exporter.metric("iothub_events_rejected_total", "source", "webhook", "reason", "invalid_event_time")).isEqualTo(1);
        List<String> lines = Files.readAllLines(dir.resolve("deadletter.jsonl"));
        assertThat(lines).hasSize(1);
        JsonObject dead = new JsonObject(lines.get(0));
        assertThat(dead.getString("reason")).isEqualTo("invalid_event_time");
        assertThat(dead.getJsonObject("event").getJsonObject("data").getString("deviceId")).isEqualTo("bad");
    }
}
