package io.github.iothubexporter.ingest;

import com.azure.messaging.eventhubs.CheckpointStore;
import com.azure.messaging.eventhubs.models.Checkpoint;
import com.azure.messaging.eventhubs.models.PartitionContext;
import com.azure.messaging.eventhubs.models.PartitionOwnership;
import io.github.iothubexporter.state.StateWriter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The single-instance checkpoint store: checkpoints live in the exporter's durable state, under meta keys
 * {@code eventhubs/checkpoint/<namespace>/<hub>/<group>/<partition>}. The Event Hubs input passes each batch's
 * checkpoint as {@code positions} in the same {@link StateWriter#submit} as the batch's events, so the state and
 * the checkpoint that covers it are committed atomically: after a crash, the input resumes exactly after the
 * last batch whose effect survived. Ownership lives in memory: one state directory serves one process (it is
 * locked), so there is nobody to share partitions with.
 */
public final class FileCheckpointStore implements CheckpointStore {
    static final String PREFIX = "eventhubs/checkpoint/";

    private final StateWriter writer;
    private final Map<String, PartitionOwnership> ownership = new ConcurrentHashMap<>();

    public FileCheckpointStore(StateWriter writer) {
        this.writer = writer;
    }

    /** The meta key of one partition's checkpoint. Names are case-insensitive in Event Hubs. */
    public static String key(String namespace, String eventHub, String consumerGroup, String partition) {
        return groupPrefix(namespace, eventHub, consumerGroup) + partition;
    }

    public static String key(PartitionContext p) {
        return key(p.getFullyQualifiedNamespace(), p.getEventHubName(), p.getConsumerGroup(), p.getPartitionId());
    }

    private static String groupPrefix(String namespace, String eventHub, String consumerGroup) {
        return PREFIX + namespace.toLowerCase(Locale.ROOT) + "/" + eventHub.toLowerCase(Locale.ROOT) + "/"
                + consumerGroup.toLowerCase(Locale.ROOT) + "/";
    }

    /** The stored form of a checkpoint: {@code <sequence number>\n<offset>}. */
    public static byte[] encode(long sequenceNumber, String offset) {
        return (sequenceNumber + "\n" + (offset == null ? "" : offset)).getBytes(StandardCharsets.UTF_8);
    }

    static Checkpoint decode(String namespace, String eventHub, String consumerGroup, String partition, byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        Checkpoint c = new Checkpoint().setFullyQualifiedNamespace(namespace).setEventHubName(eventHub)
                .setConsumerGroup(consumerGroup).setPartitionId(partition);
        if (nl < 0) {
            return c.setSequenceNumber(Long.parseLong(s));
        }
        c.setSequenceNumber(Long.parseLong(s.substring(0, nl)));
        String offset = s.substring(nl + 1);
        return offset.isEmpty() ? c : c.setOffsetString(offset);
    }

    // Every operation runs when subscribed, not when called: the SDK builds its publishers once and subscribes to
    // them again on each load-balancing round, as it does with the blob store's cold publishers.

    @Override
    public Flux<PartitionOwnership> listOwnership(String namespace, String eventHub, String consumerGroup) {
        String prefix = groupPrefix(namespace, eventHub, consumerGroup);
        return Flux.defer(() -> {
            List<PartitionOwnership> out = new ArrayList<>();
            ownership.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    out.add(copy(v));
                }
            });
            return Flux.fromIterable(out);
        });
    }

    @Override
    public Flux<PartitionOwnership> claimOwnership(List<PartitionOwnership> requested) {
        return Flux.defer(() -> {
            List<PartitionOwnership> claimed = new ArrayList<>();
            for (PartitionOwnership r : requested) {
                String k = key(r.getFullyQualifiedNamespace(), r.getEventHubName(), r.getConsumerGroup(), r.getPartitionId());
                PartitionOwnership next = copy(r).setETag(UUID.randomUUID().toString()).setLastModifiedTime(System.currentTimeMillis());
                // optimistic concurrency, like the blob store: create only if absent, replace only the version seen
                boolean ok = r.getETag() == null
                        ? ownership.putIfAbsent(k, next) == null
                        : ownership.computeIfPresent(k, (kk, cur) -> r.getETag().equals(cur.getETag()) ? next : cur) == next;
                if (ok) {
                    claimed.add(copy(next));
                }
            }
            return Flux.fromIterable(claimed);
        });
    }

    @Override
    public Flux<Checkpoint> listCheckpoints(String namespace, String eventHub, String consumerGroup) {
        String prefix = groupPrefix(namespace, eventHub, consumerGroup);
        // the future completes on the state-writer thread: continue elsewhere, or the SDK would run its partition
        // start-up on the one thread that every batch waits for
        return Mono.fromFuture(() -> writer.read(store -> store.metaWithPrefix(prefix)))
                .publishOn(Schedulers.boundedElastic())
                .flatMapMany(m -> {
                    List<Checkpoint> out = new ArrayList<>(m.size());
                    m.forEach((k, v) -> out.add(decode(namespace, eventHub, consumerGroup, k.substring(prefix.length()), v)));
                    return Flux.fromIterable(out);
                });
    }

    /**
     * Commits a checkpoint on its own (durably). The Event Hubs input does not call this: it commits each
     * checkpoint together with its batch's events.
     */
    @Override
    public Mono<Void> updateCheckpoint(Checkpoint c) {
        if (c.getSequenceNumber() == null) {
            return Mono.error(new IllegalArgumentException("checkpoint without a sequence number"));
        }
        String k = key(c.getFullyQualifiedNamespace(), c.getEventHubName(), c.getConsumerGroup(), c.getPartitionId());
        return Mono.fromFuture(() -> writer.commitPositions(Map.of(k, encode(c.getSequenceNumber(), c.getOffsetString()))))
                .publishOn(Schedulers.boundedElastic())
                .then();
    }

    private static PartitionOwnership copy(PartitionOwnership o) {
        return new PartitionOwnership().setFullyQualifiedNamespace(o.getFullyQualifiedNamespace())
                .setEventHubName(o.getEventHubName()).setConsumerGroup(o.getConsumerGroup())
                .setPartitionId(o.getPartitionId()).setOwnerId(o.getOwnerId())
                .setLastModifiedTime(o.getLastModifiedTime()).setETag(o.getETag());
    }
}
