package io.github.iothubexporter.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TruthFileWriterTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    @TempDir
    Path dir;

    /** Six simulated hours of 500 devices, told to both an in-process listener and the file. */
    private List<DisconnectTruth> simulate(TruthFileWriter writer) {
        List<DisconnectTruth> told = new ArrayList<>();
        FleetSimulator sim = new FleetSimulator(new FleetSimulator.Settings(500, 2, 1, 5, Duration.ofSeconds(180)),
                body -> { }, body -> { }, SimulatedDay.START);
        sim.onTruth(told::add);
        sim.onTruth(writer);
        for (long t = SimulatedDay.START; t <= SimulatedDay.START + 6 * 3600_000L; t += 10_000) {
            sim.advanceTo(t);
        }
        return told;
    }

    @Test
    void everyTruthBecomesOneJsonLineWithTheSameFacts() throws Exception {
        Path file = dir.resolve("truth.jsonl");
        TruthFileWriter writer = TruthFileWriter.open(file);
        List<DisconnectTruth> told = simulate(writer);
        writer.close();

        List<String> lines = Files.readAllLines(file);
        assertThat(told).hasSizeGreaterThan(1000);
        assertThat(lines).hasSameSizeAs(told);
        assertThat(writer.written()).isEqualTo(told.size());
        assertThat(writer.dropped()).isZero();
        for (int i = 0; i < told.size(); i++) {
            assertThat(lines.get(i)).as("one object per line, nothing around it").startsWith("{").endsWith("}");
            assertSameTruth(MAPPER.readTree(lines.get(i)), told.get(i));
        }
        assertThat(told).anyMatch(t -> t.cause().equals("keepalive_timeout")).anyMatch(t -> !t.visible());
    }

    static void assertSameTruth(JsonNode line, DisconnectTruth t) {
        assertThat(line.get("hub").asText()).isEqualTo(t.hub());
        assertThat(line.get("deviceId").asText()).isEqualTo(t.deviceId());
        assertThat(line.get("moduleId").asText()).isEqualTo(t.moduleId());
        assertThat(line.get("kind").asText()).isEqualTo(t.kind());
        assertThat(line.get("cause").asText()).isEqualTo(t.cause());
        assertThat(line.get("sdk").asText()).isEqualTo(t.sdk());
        assertThat(line.get("visible").asBoolean()).isEqualTo(t.visible());
        assertTime(line, "down", t.downMillis());
        assertTime(line, "up", t.upMillis());
        assertTime(line, "lastHeard", t.lastHeardMillis());
        assertTime(line, "linkUp", t.linkUpMillis());
    }

    private static void assertTime(JsonNode line, String name, long millis) {
        assertThat(line.get(name + "Millis").asLong()).as(name).isEqualTo(millis);
        assertThat(Instant.parse(line.get(name).asText()).toEpochMilli()).as(name).isEqualTo(millis);
    }

    @Test
    void linesReachTheFileWhileRunningAndARestartAppends() throws Exception {
        Path file = dir.resolve("truth.jsonl");
        TruthFileWriter first = TruthFileWriter.open(file);
        List<DisconnectTruth> told = simulate(first);
        // flushed periodically: readable before close
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(file).size() == told.size());
        first.close();

        TruthFileWriter second = TruthFileWriter.open(file);
        DisconnectTruth more = told.get(0);
        second.accept(more);
        second.close();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(told.size() + 1);
        assertSameTruth(MAPPER.readTree(lines.get(0)), told.get(0));
        assertSameTruth(MAPPER.readTree(lines.get(lines.size() - 1)), more);
    }

    @Test
    void truthAfterCloseIsCountedNotWritten() throws Exception {
        Path file = dir.resolve("truth.jsonl");
        TruthFileWriter writer = TruthFileWriter.open(file);
        writer.close();
        writer.accept(new DisconnectTruth("h", "d", "", "genuine", "outage", "java", 1, 1, 2, 2, true));
        assertThat(writer.dropped()).isEqualTo(1);
        assertThat(Files.readAllLines(file)).isEmpty();
    }
}
