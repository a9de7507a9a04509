package io.github.iothubexporter.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.iothubexporter.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code simulator.truthFile}: the running service appends the simulator's ground truth as JSON lines. */
class SimulatorTruthFileTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void theRunningSimulatorAppendsItsTruthAsJsonLines() throws Exception {
        Path file = dir.resolve("truth.jsonl");
        RunningExporter exporter = new RunningExporter(dir.resolve("state"), Map.of(
                "IOTHUB_EXPORTER_SIMULATOR_ENABLED", "true",
                "IOTHUB_EXPORTER_SIMULATOR_DEVICES", "300",
                "IOTHUB_EXPORTER_SIMULATOR_SPEED", "3600", // an hour a second
                "IOTHUB_EXPORTER_STATE_FSYNC", "off",
                "IOTHUB_EXPORTER_SIMULATOR_TRUTHFILE", file.toString()));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(file) && Files.readAllLines(file).size() >= 50);
        } finally {
            exporter.close();
        }
        String text = Files.readString(file);
        assertThat(text).endsWith("\n");
        List<String> lines = text.lines().toList();
        for (String line : lines) {
            assertThat(line).startsWith("{").endsWith("}");
            JsonNode truth = MAPPER.readTree(line);
            assertThat(truth.get("hub").asText()).startsWith("contoso-sim-");
            assertThat(truth.get("kind").asText()).isIn("token_renewal", "transient", "genuine");
            assertThat(truth.get("upMillis").asLong()).isGreaterThan(truth.get("downMillis").asLong());
        }
    }

    @Test
    void aTruthFileThatCannotBeOpenedStopsTheStartNamingTheKey() throws Exception {
        var config = ConfigLoader.load(null, Map.of(
                "IOTHUB_EXPORTER_SERVER_PORT", "0",
                "IOTHUB_EXPORTER_SERVER_HOST", "127.0.0.1",
                "IOTHUB_EXPORTER_STATE_DIR", dir.resolve("state").toString(),
                "IOTHUB_EXPORTER_SIMULATOR_ENABLED", "true",
                "IOTHUB_EXPORTER_SIMULATOR_TRUTHFILE", dir.resolve("no-such-dir/truth.jsonl").toString()));
        assertThatThrownBy(() -> ExporterApp.start(config).toCompletionStage().toCompletableFuture().get())
                .hasMessageContaining("simulator.truthFile");
    }
}
