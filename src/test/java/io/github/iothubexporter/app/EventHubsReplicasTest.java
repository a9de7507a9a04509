package io.github.iothubexporter.app;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.github.iothubexporter.TestEvents;
import io.github.iothubexporter.ingest.Azurite;
import io.github.iothubexporter.ingest.EventHubsEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two service instances share one event hub through a blob checkpoint store on Azurite: they split the
 * partitions, and when one stops the other takes its partitions over from the checkpoints, with no event lost
 * or applied twice.
 */
class EventHubsReplicasTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final int PARTITIONS = 4;
    private static final int DEVICES = 200;
    @TempDir
    Path dir;
    private Azurite azurite;
    private EventHubsEmulator hub;
    private final List<RunningExporter> exporters = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        azurite = new Azurite(dir.resolve("azurite"));
        hub = new EventHubsEmulator("conn-events", PARTITIONS);
    }

    @AfterEach
    void stop() throws Exception {
        exporters.parallelStream().forEach(RunningExporter::close);
        hub.close();
        azurite.close();
    }

    private RunningExporter replica(String name) throws Exception {
        Map<String, String> env = EventHubsInputTest.env(hub);
        env.put("IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_TYPE", "blob");
        env.put("IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_BLOBCONNECTIONSTRING", azurite.connectionString());
        env.put("IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_CONTAINER", "eh-checkpoints");
        RunningExporter e = new RunningExporter(dir.resolve(name), env);
        exporters.add(e);
        return e;
    }

    private static double applied(RunningExporter e) throws Exception {
        String m = e.metrics();
        double c = RunningExporter.sample(m, "iothub_connection_events_total", "hub", "hub-x", "event", "connected", "source", "eventhubs");
        double d = RunningExporter.sample(m, "iothub_connection_events_total", "hub", "hub-x", "event", "disconnected", "source", "eventhubs");
        return (Double.isNaN(c) ? 0 : c) + (Double.isNaN(d) ? 0 : d);
    }

    private static double owned(RunningExporter e) throws Exception {
        return e.metric("iothub_eventhubs_partitions_owned", "eventhub", "conn-events");
    }

    /** Event Grid's Event Hubs delivery with PartitionKey = device ID keeps each device on one partition. */
    private void appendRound(long seq, boolean connected) {
        for (int d = 0; d < DEVICES; d++) {
            String device = "dev-" + d;
            hub.appendWithKey(Math.floorMod(device.hashCode(), PARTITIONS), device,
                    TestEvents.eventGrid("hub-x", device, null, connected, seq, T0.plusSeconds(seq))
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void replicasSplitThePartitionsAndTakeOverWithoutLossOrDoubleApplication() throws Exception {
        RunningExporter a = replica("a");
        RunningExporter b = replica("b");
        Waits.until(Duration.ofSeconds(40), "owned(a) == 2 && owned(b) == 2", () -> owned(a) == 2 && owned(b) == 2);

        appendRound(1, true);
        Waits.until(Duration.ofSeconds(30), "applied(a) + applied(b) == DEVICES", () -> applied(a) + applied(b) == DEVICES);
        assertThat(applied(a)).isPositive();
        assertThat(applied(b)).isPositive();

        // replica b stops (its checkpoints are in the blob store) while new events keep arriving
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> b.app().eventHubs().close());
        appendRound(2, false);
        stopping.get();
        double appliedByB = applied(b);
        Waits.until(Duration.ofSeconds(40), "owned(a) == PARTITIONS && applied(a) + appliedByB == 2 * DEVICES", () -> owned(a) == PARTITIONS && applied(a) + appliedByB == 2 * DEVICES);
        Thread.sleep(1500); // anything replayed twice would show up now
        assertThat(applied(a) + appliedByB).isEqualTo(2 * DEVICES);
        assertThat(a.metric("iothub_connection_events_ignored_total", "hub", "hub-x", "reason", "duplicate")).isZero();
        assertThat(a.metric("iothub_devices_connected", "hub", "hub-x")).isZero();
        // (events prefetched by b but not processed before it stopped are delivered again to a: at least once)
        assertThat(hub.delivered()).isGreaterThanOrEqualTo(2L * DEVICES);

        // the checkpoints are in the blob store, one per partition, in the SDK's layout
        BlobContainerClient container = new BlobContainerClientBuilder().connectionString(azurite.connectionString())
                .containerName("eh-checkpoints").buildClient();
        List<BlobItem> blobs = container.listBlobs(new ListBlobsOptions().setDetails(new BlobListDetails().setRetrieveMetadata(true)),
                null).stream().filter(i -> i.getName().contains("/checkpoint/")).toList();
        assertThat(blobs).hasSize(PARTITIONS);
        long covered = 0;
        for (BlobItem i : blobs) {
            int p = Integer.parseInt(i.getName().substring(i.getName().lastIndexOf('/') + 1));
            long seq = Long.parseLong(i.getMetadata().get("sequencenumber"));
            assertThat(seq).as("partition " + p).isEqualTo(hub.size(p) - 1);
            covered += seq + 1;
        }
        assertThat(covered).isEqualTo(2L * DEVICES);
    }
}
