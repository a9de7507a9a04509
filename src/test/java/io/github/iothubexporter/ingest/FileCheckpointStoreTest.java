package io.github.iothubexporter.ingest;

import com.azure.messaging.eventhubs.models.Checkpoint;
import com.azure.messaging.eventhubs.models.PartitionContext;
import com.azure.messaging.eventhubs.models.PartitionOwnership;
import io.github.iothubexporter.TestEvents;
import io.github.iothubexporter.config.EventHubsConfig;
import io.github.iothubexporter.export.ExporterMetrics;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import io.github.iothubexporter.state.StateWriters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The file checkpoint store and the batch logic of the input, without Event Hubs. */
class FileCheckpointStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final PartitionContext P0 = new PartitionContext("ns.servicebus.windows.net", "Conn-Events", "$Default", "0");
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private StateWriter writer() throws Exception {
        StateWriter w = new StateWriter(new StateWriter.Options(dir, true, Duration.ofHours(1), 1L << 30, 64),
                new StateStore(10, new CriticalDevices(List.of()), 10), Clock.systemUTC());
        w.recover();
        w.start();
        open.add(w);
        return w;
    }

    private EventHubsInput input(StateWriter w, ExporterMetrics metrics, DeadLetterLog dead) {
        EventHubsConfig cfg = new EventHubsConfig("Endpoint=sb://x/;EntityPath=conn-events", null, null, "$Default", "file",
                null, null, "earliest", "balanced", Duration.ofSeconds(10), Duration.ofSeconds(60), 100, Duration.ofSeconds(1), 100);
        return new EventHubsInput(cfg, w, metrics, dead, (body, p, seq) -> { });
    }

    private static EventHubsInput.Message msg(long seq, String body) {
        return new EventHubsInput.Message(body.getBytes(StandardCharsets.UTF_8), Map.of(), Map.of(), seq,
                Long.toString(seq * 100), System.currentTimeMillis());
    }

    private static List<Checkpoint> checkpoints(FileCheckpointStore s) {
        return s.listCheckpoints("ns.servicebus.windows.net", "conn-events", "$default").collectList().block();
    }

    @Test
    void aBatchAndItsCheckpointCommitTogetherAndSurviveACrash() throws Exception {
        StateWriter w = writer();
        DeadLetterLog dead = new DeadLetterLog(dir, 1 << 20);
        open.add(dead);
        EventHubsInput in = input(w, metrics(w), dead);
        FileCheckpointStore store = new FileCheckpointStore(w);
        assertThat(checkpoints(store)).isEmpty();
        in.processBatch(P0, List.of(
                msg(0, TestEvents.eventGrid("hub-a", "d1", null, true, 1, T0)),
                msg(1, "garbage"),
                msg(2, TestEvents.eventGrid("hub-a", "d2", null, true, 1, T0))), null);
        in.drain(P0); // as when the partition closes: the last batch is durable
        List<Checkpoint> cps = checkpoints(store);
        assertThat(cps).hasSize(1);
        assertThat(cps.get(0).getPartitionId()).isEqualTo("0");
        assertThat(cps.get(0).getSequenceNumber()).isEqualTo(2L);
        assertThat(cps.get(0).getOffsetString()).isEqualTo("200");
        assertThat(Files.readString(dir.resolve(DeadLetterLog.FILE))).contains("partition=0 offset=100 sequenceNumber=1");

        StateWriters.crash(w);
        open.remove(w);
        StateWriter again = writer();
        assertThat(again.store().stats().totalConnected()).isEqualTo(2);
        assertThat(checkpoints(new FileCheckpointStore(again))).singleElement()
                .satisfies(c -> assertThat(c.getOffsetString()).isEqualTo("200"));
    }

    @Test
    void aBatchWithNoConnectionEventsStillAdvancesTheCheckpoint() throws Exception {
        StateWriter w = writer();
        DeadLetterLog dead = new DeadLetterLog(dir, 1 << 20);
        open.add(dead);
        EventHubsInput in = input(w, metrics(w), dead);
        in.processBatch(P0, List.of(msg(7, TestEvents.resourceLogs("hub-a", "d1")), msg(8, "[]")), null);
        assertThat(checkpoints(new FileCheckpointStore(w))).singleElement()
                .satisfies(c -> assertThat(c.getSequenceNumber()).isEqualTo(8L));
        assertThat(w.store().stats().totalTracked()).isZero();
    }

    @Test
    void updateCheckpointOnItsOwn() throws Exception {
        StateWriter w = writer();
        FileCheckpointStore store = new FileCheckpointStore(w);
        store.updateCheckpoint(new Checkpoint().setFullyQualifiedNamespace("NS.servicebus.windows.net").setEventHubName("conn-events")
                .setConsumerGroup("$Default").setPartitionId("3").setSequenceNumber(41L).setOffsetString("4100")).block();
        store.updateCheckpoint(new Checkpoint().setFullyQualifiedNamespace("ns.servicebus.windows.net").setEventHubName("other")
                .setConsumerGroup("$Default").setPartitionId("3").setSequenceNumber(1L)).block();
        assertThat(checkpoints(store)).singleElement().satisfies(c -> {
            assertThat(c.getPartitionId()).isEqualTo("3");
            assertThat(c.getSequenceNumber()).isEqualTo(41L);
            assertThat(c.getOffsetString()).isEqualTo("4100");
        });
        assertThat(w.read(s -> s.meta(FileCheckpointStore.key("ns.servicebus.windows.net", "conn-events", "$default", "3"))).get())
                .isNotNull();
    }

    @Test
    void ownershipClaimsAreOptimistic() throws Exception {
        FileCheckpointStore store = new FileCheckpointStore(writer());
        PartitionOwnership want = new PartitionOwnership().setFullyQualifiedNamespace("ns").setEventHubName("eh")
                .setConsumerGroup("$default").setPartitionId("0").setOwnerId("a");
        List<PartitionOwnership> first = store.claimOwnership(List.of(want)).collectList().block();
        assertThat(first).singleElement().satisfies(o -> assertThat(o.getETag()).isNotNull());
        assertThat(store.claimOwnership(List.of(want)).collectList().block()).as("create when it exists").isEmpty();
        String etag = first.get(0).getETag();
        PartitionOwnership renew = new PartitionOwnership().setFullyQualifiedNamespace("ns").setEventHubName("eh")
                .setConsumerGroup("$default").setPartitionId("0").setOwnerId("b").setETag(etag);
        assertThat(store.claimOwnership(List.of(renew)).collectList().block()).singleElement()
                .satisfies(o -> assertThat(o.getOwnerId()).isEqualTo("b"));
        assertThat(store.claimOwnership(List.of(renew)).collectList().block()).as("stale eTag").isEmpty();
        assertThat(store.listOwnership("ns", "eh", "$default").collectList().block()).singleElement()
                .satisfies(o -> assertThat(o.getOwnerId()).isEqualTo("b"));
        assertThat(store.listOwnership("ns", "other", "$default").collectList().block()).isEmpty();
        // publishers are cold: each subscription sees the store as it is then (the SDK re-subscribes every round)
        var listing = store.listOwnership("ns", "eh", "$default");
        store.claimOwnership(List.of(new PartitionOwnership().setFullyQualifiedNamespace("ns").setEventHubName("eh")
                .setConsumerGroup("$default").setPartitionId("1").setOwnerId("b"))).blockLast();
        assertThat(listing.collectList().block()).hasSize(2);
        var claim = store.claimOwnership(List.of(new PartitionOwnership().setFullyQualifiedNamespace("ns").setEventHubName("eh")
                .setConsumerGroup("$default").setPartitionId("2").setOwnerId("b")));
        assertThat(listing.collectList().block()).as("a claim not subscribed to does nothing").hasSize(2);
        assertThat(claim.collectList().block()).hasSize(1);
    }

    @Test
    void noCheckpointWithoutDurableState() throws Exception {
        StateWriter w = writer();
        DeadLetterLog dead = new DeadLetterLog(dir, 1 << 20);
        open.add(dead);
        EventHubsConfig blob = new EventHubsConfig("Endpoint=sb://x/;EntityPath=conn-events", null, null, "$Default", "blob",
                "UseDevelopmentStorage=true", "c", "earliest", "auto", Duration.ofSeconds(10), Duration.ofSeconds(60), 100,
                Duration.ofSeconds(1), 100);
        EventHubsInput in = new EventHubsInput(blob, w, metrics(w), dead, (body, p, seq) -> { });
        in.commitTimeout = Duration.ofMillis(300);
        java.util.concurrent.atomic.AtomicInteger blobWrites = new java.util.concurrent.atomic.AtomicInteger();
        List<EventHubsInput.Message> batch = List.of(msg(0, TestEvents.eventGrid("hub-a", "d1", null, true, 1, T0)));
        in.processBatch(P0, batch, () -> {
            // the batch's state commit has completed when the blob checkpoint is written
            assertThat(w.store().stats().totalTracked()).isEqualTo(1);
            blobWrites.incrementAndGet();
        });
        assertThat(blobWrites.get()).isEqualTo(1);

        w.close(); // the state store stops taking batches: the checkpoint must not move
        open.remove(w);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> in.processBatch(P0,
                        List.of(msg(1, TestEvents.eventGrid("hub-a", "d2", null, true, 1, T0))), blobWrites::incrementAndGet))
                .isInstanceOf(IllegalStateException.class);
        assertThat(blobWrites.get()).isEqualTo(1);

        EventHubsInput file = input(w, metrics(w), dead);
        file.commitTimeout = Duration.ofMillis(300);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> file.processBatch(P0, batch, null))
                .isInstanceOf(IllegalStateException.class);
    }

    private static ExporterMetrics metrics(io.github.iothubexporter.state.StateWriter w) {
        return new ExporterMetrics(w.store().stats(), new io.github.iothubexporter.classify.DisconnectClassifier(
                io.github.iothubexporter.classify.ClassificationSettings.defaults(java.time.Duration.ofSeconds(180)), 100,
                new io.github.iothubexporter.classify.SdkVersionTable()));
    }
}
