package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.iothubexporter.app.RunningExporter;
import io.github.iothubexporter.state.StateWriters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offline list is derived from the classifier's decisions, not stored: after a crash it is rebuilt by replaying
 * the journal, after a clean stop from the snapshot's offline devices.
 */
class GrafanaRestartTest {
    static final String HUB = "hub-r";
    final Instant t0 = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MINUTES);
    @TempDir
    Path dir;

    private GrafanaClient start() throws Exception {
        return new GrafanaClient(new RunningExporter(dir, Map.of()), null);
    }

    /** The same service restarted on the same state directory; sequence numbers continue. */
    private GrafanaClient restart(GrafanaClient before) throws Exception {
        return before.on(new RunningExporter(dir, Map.of()));
    }

    private List<String> offline(GrafanaClient g) throws Exception {
        List<String> out = new ArrayList<>();
        for (Map<String, JsonNode> r : GrafanaClient.rows(g.frame("offline_devices", "{}", t0, t0.plusSeconds(7200), null))) {
            out.add(r.get("device").asText() + "@" + r.get("since").asLong() + ":" + r.get("sdk").asText());
        }
        return out;
    }

    private List<String> endedOutages(GrafanaClient g) throws Exception {
        List<String> out = new ArrayList<>();
        for (Map<String, JsonNode> r : GrafanaClient.rows(g.frame("recent_disconnects", "{\"kind\":\"genuine\"}", t0, t0.plusSeconds(7200),
                null))) {
            if (r.get("state").asText().equals("reconnected")) {
                out.add(r.get("device").asText());
            }
        }
        return out;
    }

    private GrafanaClient scenario() throws Exception {
        GrafanaClient g = start();
        g.event(HUB, "a", null, true, t0).event(HUB, "b", null, true, t0).event(HUB, "c", null, true, t0).event(HUB, "tick", null, true, t0)
                .send();
        g.records("{\"records\":[" + GrafanaClient.record(HUB, "b", t0.plusSeconds(5), "deviceConnect", "Information", null,
                "com.microsoft.azure.sdk.iot.iot-device-client/1.30.1") + "]}");
        g.event(HUB, "a", null, false, t0.plusSeconds(60)).event(HUB, "b", null, false, t0.plusSeconds(120))
                .event(HUB, "c", null, false, t0.plusSeconds(130)).send();
        g.event(HUB, "tick", null, false, t0.plusSeconds(600)).send();
        g.event(HUB, "c", null, true, t0.plusSeconds(900)).send(); // the watermark passes tick's grace window too
        return g;
    }

    @Test
    void afterACrashTheJournalReplayRebuildsIt() throws Exception {
        GrafanaClient g = scenario();
        List<String> before = offline(g);
        assertThat(before).containsExactly("a@" + t0.plusSeconds(60).toEpochMilli() + ":unknown",
                "b@" + t0.plusSeconds(120).toEpochMilli() + ":java", "tick@" + t0.plusSeconds(600).toEpochMilli() + ":unknown");
        assertThat(endedOutages(g)).containsExactly("c");
        StateWriters.crash(g.exporter.app().writer());
        g.exporter.close();
        assertThat(Files.exists(dir.resolve("snapshot.bin"))).as("recovery is by the journal alone").isFalse();
        GrafanaClient again = restart(g);
        try {
            assertThat(offline(again)).isEqualTo(before);
            assertThat(endedOutages(again)).containsExactly("c");
            // a restored entry leaves the list when its device comes back
            again.event(HUB, "a", null, true, t0.plusSeconds(1000)).send();
            assertThat(offline(again)).hasSize(2).noneMatch(s -> s.startsWith("a@"));
            assertThat(endedOutages(again)).as("in disconnect-time order").containsExactly("a", "c");
        } finally {
            again.exporter.close();
        }
    }

    @Test
    void afterACleanStopTheSnapshotRebuildsIt() throws Exception {
        GrafanaClient g = scenario();
        List<String> before = offline(g);
        g.exporter.close(); // writes a final snapshot
        assertThat(Files.exists(dir.resolve("snapshot.bin"))).isTrue();
        GrafanaClient again = restart(g);
        try {
            assertThat(offline(again)).isEqualTo(before);
            again.event(HUB, "b", null, true, t0.plusSeconds(1000)).send();
            assertThat(offline(again)).hasSize(2).noneMatch(s -> s.startsWith("b@"));
            assertThat(again.exporter.metric("iothub_devices_offline", "hub", HUB)).isEqualTo(2);
        } finally {
            again.exporter.close();
        }
    }
}
