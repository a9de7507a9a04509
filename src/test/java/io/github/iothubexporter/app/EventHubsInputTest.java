package io.github.iothubexporter.app;

import io.github.iothubexporter.TestEvents;
import io.github.iothubexporter.ingest.DeadLetterLog;
import io.github.iothubexporter.ingest.EventHubsEmulator;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The real Event Hubs SDK consuming from the AMQP emulator into the running service (file checkpoints). */
class EventHubsInputTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00.1234567Z");
    @TempDir
    Path dir;
    private EventHubsEmulator hub;
    private RunningExporter exporter;

    @BeforeEach
    void startEmulator() {
        hub = new EventHubsEmulator("conn-events", 2);
    }

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
        hub.close();
    }

    static Map<String, String> env(EventHubsEmulator hub) {
        Map<String, String> env = new HashMap<>();
        env.put("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", hub.connectionString());
        env.put("IOTHUB_EXPORTER_EVENTHUBS_LOADBALANCINGINTERVAL", "1s");
        env.put("IOTHUB_EXPORTER_EVENTHUBS_OWNERSHIPEXPIRATION", "5s");
        env.put("IOTHUB_EXPORTER_EVENTHUBS_MAXWAITTIME", "200ms");
        env.put("IOTHUB_EXPORTER_EVENTHUBS_MAXBATCHSIZE", "100");
        return env;
    }

    private RunningExporter start() throws Exception {
        exporter = new RunningExporter(dir, env(hub));
        return exporter;
    }

    private double applied(String hubName) throws Exception {
        String m = exporter.metrics();
        double c = RunningExporter.sample(m, "iothub_connection_events_total", "hub", hubName, "event", "connected", "source", "eventhubs");
        double d = RunningExporter.sample(m, "iothub_connection_events_total", "hub", hubName, "event", "disconnected", "source", "eventhubs");
        return (Double.isNaN(c) ? 0 : c) + (Double.isNaN(d) ? 0 : d);
    }

    @Test
    void everyBodyFormatOnOneEventHub() throws Exception {
        start();
        List<String> logBodies = new CopyOnWriteArrayList<>();
        exporter.app().resourceLogSink((body, partition, seq) -> logBodies.add(new String(body, StandardCharsets.UTF_8)));
        long now = System.currentTimeMillis();
        // partition 0: Event Grid schema (array and single object), a poison message, then more events
        hub.append(0, TestEvents.array(List.of(TestEvents.eventGrid("hub-f", "eg-1", null, true, 1, T0),
                TestEvents.eventGrid("hub-f", "eg-2", null, true, 1, T0))));
        hub.append(0, TestEvents.eventGrid("hub-f", "eg-3", null, true, 1, T0));
        long poison = hub.append(0, "this is not JSON");
        hub.append(0, TestEvents.eventGrid("hub-f", "eg-4", null, true, 1, T0));
        // partition 1: CloudEvents (single and array), routing messages, resource logs, telemetry
        hub.append(1, TestEvents.cloudEvent("hub-f", "ce-1", null, true, 1, T0));
        hub.append(1, TestEvents.array(List.of(TestEvents.cloudEvent("hub-f", "ce-2", null, true, 1, T0),
                TestEvents.cloudEvent("hub-f", "ce-3", null, false, 1, T0))));
        hub.append(1, TestEvents.routingBody(5).getBytes(StandardCharsets.UTF_8),
                TestEvents.routingProperties("HUB-F", "rt-1", null, true, T0), TestEvents.routingAnnotations("rt-1"), now);
        hub.append(1, TestEvents.routingBody(6).getBytes(StandardCharsets.UTF_8),
                TestEvents.routingProperties("hub-f", "rt-1", "mod-a", true, null), TestEvents.routingAnnotations("rt-1"), now);
        hub.append(1, TestEvents.resourceLogs("hub-f", "rt-1").getBytes(StandardCharsets.UTF_8), null, null, now);
        hub.append(1, "{\"temperature\":21.5}".getBytes(StandardCharsets.UTF_8), Map.of(),
                Map.of("iothub-message-source", "Telemetry"), now);
        hub.append(1, TestEvents.routingBody(7).getBytes(StandardCharsets.UTF_8),
                TestEvents.routingProperties("hub-f", "bad device", null, true, T0), TestEvents.routingAnnotations("x"), now);

        Waits.until(Duration.ofSeconds(30), "applied(\"hub-f\") == 9", () -> applied("hub-f") == 9);
        String m = exporter.metrics();
        assertThat(RunningExporter.sample(m, "iothub_devices_tracked", "hub", "hub-f")).isEqualTo(9);
        assertThat(RunningExporter.sample(m, "iothub_devices_connected", "hub", "hub-f")).isEqualTo(8);
        assertThat(RunningExporter.sample(m, "iothub_eventhubs_events_received_total", "eventhub", "conn-events",
                "partition", "0", "format", "eventgrid")).isEqualTo(3);
        assertThat(RunningExporter.sample(m, "iothub_eventhubs_events_received_total", "partition", "0", "format", "unknown"))
                .isEqualTo(1);
        assertThat(RunningExporter.sample(m, "iothub_eventhubs_events_received_total", "partition", "1", "format", "cloudevents"))
                .isEqualTo(2);
        assertThat(RunningExporter.sample(m, "iothub_eventhubs_events_received_total", "partition", "1", "format", "iothub_routing"))
                .isEqualTo(3);
        assertThat(RunningExporter.sample(m, "iothub_eventhubs_events_received_total", "partition", "1", "format", "resource_logs"))
                .isEqualTo(1);
        assertThat(RunningExporter.sample(m, "iothub_eventhubs_events_received_total", "partition", "1", "format", "other"))
                .isEqualTo(1);
        assertThat(RunningExporter.sample(m, "iothub_events_rejected_total", "source", "eventhubs", "reason", "malformed_json"))
                .isEqualTo(1);
        assertThat(RunningExporter.sample(m, "iothub_events_rejected_total", "source", "eventhubs", "reason", "invalid_device_id"))
                .isEqualTo(1);
        assertThat(RunningExporter.sample(m, "iothub_eventhubs_partitions_owned", "eventhub", "conn-events")).isEqualTo(2);
        assertThat(exporter.get("/readyz").statusCode()).as("ready: state restored and the Event Hubs input runs").isEqualTo(200);
        assertThat(RunningExporter.sample(m, "iothub_eventhubs_consumer_lag_seconds", "eventhub", "conn-events", "partition", "0"))
                .isGreaterThanOrEqualTo(0);
        assertThat(logBodies).hasSize(1).allSatisfy(b -> assertThat(b).startsWith("{\"records\":["));
        JsonObject module = new JsonObject(exporter.get("/api/devices/hub-f/rt-1?moduleId=mod-a").body());
        assertThat(module.getBoolean("connected")).isTrue();
        assertThat(module.getString("sequenceNumber")).isEqualTo(TestEvents.seq(6));

        // the poison message is in the dead-letter file with its partition and offset
        Path dead = dir.resolve(DeadLetterLog.FILE);
        Waits.until(Duration.ofSeconds(5), "Files.exists(dead) && Files.readString(dead).lines().count() == 2", () -> Files.exists(dead) && Files.readString(dead).lines().count() == 2);
        List<JsonObject> letters = Files.readString(dead).lines().map(JsonObject::new).toList();
        assertThat(letters).anySatisfy(l -> {
            assertThat(l.getString("source")).isEqualTo("eventhubs");
            assertThat(l.getString("reason")).isEqualTo("malformed_json");
            assertThat(l.getString("context")).startsWith("partition=0 offset=" + poison * 100);
            assertThat(l.getString("body")).isEqualTo("this is not JSON");
        });
    }

    @Test
    void resumesFromTheCheckpointAfterARestartWithoutDoubleCounting() throws Exception {
        for (int i = 0; i < 300; i++) {
            hub.append(i % 2, TestEvents.eventGrid("hub-r", "dev-" + i, null, true, 1, T0));
        }
        start();
        Waits.until(Duration.ofSeconds(30), "applied(\"hub-r\") == 300", () -> applied("hub-r") == 300);
        exporter.close();
        exporter = null;
        long deliveredBefore = hub.delivered();
        assertThat(deliveredBefore).isEqualTo(300);

        for (int i = 0; i < 300; i++) {
            hub.append(i % 2, TestEvents.eventGrid("hub-r", "dev-" + i, null, false, 2, T0));
        }
        for (int i = 300; i < 310; i++) {
            hub.append(i % 2, TestEvents.eventGrid("hub-r", "dev-" + i, null, true, 1, T0));
        }
        start();
        Waits.until(Duration.ofSeconds(30), "applied(\"hub-r\") == 310", () -> applied("hub-r") == 310);
        Thread.sleep(500); // nothing else may come
        String m = exporter.metrics();
        assertThat(applied("hub-r")).isEqualTo(310);
        assertThat(RunningExporter.sample(m, "iothub_connection_events_ignored_total", "hub", "hub-r", "reason", "duplicate")).isZero();
        assertThat(RunningExporter.sample(m, "iothub_devices_tracked", "hub", "hub-r")).isEqualTo(310);
        assertThat(RunningExporter.sample(m, "iothub_devices_connected", "hub", "hub-r")).isEqualTo(10);
        // the emulator sent each event exactly once over both runs: the second run started at the checkpoint
        assertThat(hub.delivered()).isEqualTo(610);
    }
}
