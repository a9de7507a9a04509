package io.github.iothubexporter.ingest;

import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.messaging.eventhubs.CheckpointStore;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventProcessorClient;
import com.azure.messaging.eventhubs.EventProcessorClientBuilder;
import com.azure.messaging.eventhubs.LoadBalancingStrategy;
import com.azure.messaging.eventhubs.checkpointstore.blob.BlobCheckpointStore;
import com.azure.messaging.eventhubs.models.CloseContext;
import com.azure.messaging.eventhubs.models.ErrorContext;
import com.azure.messaging.eventhubs.models.EventBatchContext;
import com.azure.messaging.eventhubs.models.EventPosition;
import com.azure.messaging.eventhubs.models.InitializationContext;
import com.azure.messaging.eventhubs.models.PartitionContext;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import io.github.iothubexporter.config.EventHubsConfig;
import io.github.iothubexporter.export.ExporterMetrics;
import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.EventTimes;
import io.github.iothubexporter.state.ApplyResult;
import io.github.iothubexporter.state.StateWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Event Hubs input: an {@link EventProcessorClient} whose partitions are shared between replicas by Event
 * Hubs' own ownership protocol, processing in batches. Each batch is decoded ({@link EventHubsMessageDecoder}),
 * applied to the state, and checkpointed only once the state it covers is durable:
 * <ul>
 *   <li>file checkpoints: the checkpoint is committed in the same {@link StateWriter#submit} as the events;</li>
 *   <li>blob checkpoints: the blob is written after the submit's future completed.</li>
 * </ul>
 * Delivery is at least once; replays are harmless because the state keeps the highest sequence number per
 * device. A message that cannot be used is counted, dead-lettered with its partition and offset, and passed
 * over: it never stalls its partition. The SDK calls back on its own threads (never a Vert.x event loop), so
 * waiting there for durability is the natural backpressure.
 */
public final class EventHubsInput implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventHubsInput.class);
    /** Longest wait for one batch to become durable before the partition is given up (and retried from its checkpoint). */
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(120);
    private static final long OVERLOAD_PAUSE_MS = 20;

    private final EventHubsConfig config;
    private final StateWriter writer;
    private final ExporterMetrics metrics;
    private final DeadLetterLog deadLetters;
    private final ResourceLogSink resourceLogs;
    private final EventHubsMessageDecoder decoder = new EventHubsMessageDecoder();
    private volatile EventProcessorClient processor;
    private volatile boolean stopping;
    /** Bound on waiting for durability; shortened by tests. */
    Duration commitTimeout = COMMIT_TIMEOUT;
    /** File checkpoints: per partition, the submitted batch not yet known to be durable (pipelining depth 2). */
    private final Map<String, CompletableFuture<ApplyResult>> pending = new ConcurrentHashMap<>();

    public EventHubsInput(EventHubsConfig config, StateWriter writer, ExporterMetrics metrics, DeadLetterLog deadLetters,
                          ResourceLogSink resourceLogs) {
        this.config = config;
        this.writer = writer;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.resourceLogs = resourceLogs;
    }

    /** The default resource-log sink until the logs path takes them: logs each body at debug. */
    public static ResourceLogSink debugLogSink() {
        Logger log = LoggerFactory.getLogger(ResourceLogSink.class);
        return (body, partition, seq) -> log.debug("Resource logs ({} bytes) from partition {} sequence {} not consumed yet",
                body.length, partition, seq);
    }

    /** One received message, independent of the SDK's type (the batch logic is tested without Event Hubs). */
    public record Message(byte[] body, Map<String, Object> properties, Map<String, Object> systemProperties,
                          long sequenceNumber, String offset, long enqueuedMillis) {
        static Message of(EventData d) {
            Instant enq = d.getEnqueuedTime();
            Long seq = d.getSequenceNumber();
            return new Message(d.getBody(), d.getProperties(), d.getSystemProperties(), seq == null ? -1 : seq,
                    d.getOffsetString(), enq == null ? EventTimes.INVALID : enq.toEpochMilli());
        }
    }

    /** Builds the processor and starts claiming partitions. */
    public void start() {
        String hub = config.resolvedEventHubName();
        metrics.declareEventHub(hub);
        CheckpointStore store = config.blobCheckpoints() ? blobStore() : new FileCheckpointStore(writer);
        EventPosition initial = "latest".equals(config.startPosition()) ? EventPosition.latest() : EventPosition.earliest();
        EventProcessorClientBuilder b = new EventProcessorClientBuilder()
                .consumerGroup(config.consumerGroup())
                .checkpointStore(store)
                .loadBalancingStrategy(config.greedy() ? LoadBalancingStrategy.GREEDY : LoadBalancingStrategy.BALANCED)
                .loadBalancingUpdateInterval(config.loadBalancingInterval())
                .partitionOwnershipExpirationInterval(config.ownershipExpiration())
                .prefetchCount(config.prefetchCount())
                .initialPartitionEventPosition(partition -> initial)
                .processEventBatch(this::onBatch, config.maxBatchSize(), config.maxWaitTime())
                .processPartitionInitialization(this::onInit)
                .processPartitionClose(this::onClose)
                .processError(this::onError);
        if (config.connectionString() != null) {
            if (EventHubsConfig.entityPath(config.connectionString()) != null) {
                b.connectionString(config.connectionString());
            } else {
                b.connectionString(config.connectionString(), config.eventHubName());
            }
        } else {
            b.credential(config.namespace(), config.eventHubName(), new DefaultAzureCredentialBuilder().build());
        }
        processor = b.buildEventProcessorClient();
        processor.start();
        LOG.info("Event Hubs input started: event hub {}, consumer group {}, {} checkpoints, processor {}", hub,
                config.consumerGroup(), config.checkpointType(), processor.getIdentifier());
    }

    private BlobCheckpointStore blobStore() {
        BlobContainerAsyncClient container = new BlobContainerClientBuilder()
                .connectionString(config.blobConnectionString())
                .containerName(config.blobContainer())
                .buildAsyncClient();
        try {
            if (Boolean.TRUE.equals(container.createIfNotExists().block(Duration.ofSeconds(30)))) {
                LOG.info("Created blob container {} for Event Hubs checkpoints", config.blobContainer());
            }
        } catch (RuntimeException e) {
            // the identity may lack the right to create containers; the store reports real problems itself
            LOG.warn("Could not check or create blob container {}: {}", config.blobContainer(), e.toString());
        }
        return new BlobCheckpointStore(container);
    }

    public String identifier() {
        EventProcessorClient p = processor;
        return p == null ? null : p.getIdentifier();
    }

    public boolean running() {
        EventProcessorClient p = processor;
        return p != null && p.isRunning();
    }

    private void onBatch(EventBatchContext ctx) {
        List<EventData> data = ctx.getEvents();
        List<Message> messages = new ArrayList<>(data.size());
        for (EventData d : data) {
            messages.add(Message.of(d));
        }
        processBatch(ctx.getPartitionContext(), messages, config.blobCheckpoints() ? ctx::updateCheckpoint : null);
    }

    private void onInit(InitializationContext ctx) {
        PartitionContext p = ctx.getPartitionContext();
        metrics.eventHubsPartitionOwned(p.getEventHubName(), true);
        LOG.info("Event Hubs partition {} of {} claimed", p.getPartitionId(), p.getEventHubName());
    }

    private void onClose(CloseContext ctx) {
        PartitionContext p = ctx.getPartitionContext();
        try {
            drain(p);
        } catch (RuntimeException e) {
            LOG.warn("Event Hubs partition {}: the last batch did not become durable: {}", p.getPartitionId(), e.toString());
        }
        metrics.eventHubsPartitionOwned(p.getEventHubName(), false);
        metrics.eventHubsLagRemoved(p.getEventHubName(), p.getPartitionId());
        LOG.info("Event Hubs partition {} of {} released: {}", p.getPartitionId(), p.getEventHubName(), ctx.getCloseReason());
    }

    private void onError(ErrorContext ctx) {
        PartitionContext p = ctx.getPartitionContext();
        if (stopping) { // the SDK reports its own shutdown ("Scheduler unavailable") as errors
            LOG.debug("Event Hubs error while stopping, partition {}: {}", p == null ? "-" : p.getPartitionId(),
                    ctx.getThrowable().toString());
            return;
        }
        LOG.warn("Event Hubs error on partition {}: {}", p == null ? "-" : p.getPartitionId(), ctx.getThrowable().toString());
    }

    /**
     * Decodes, applies and checkpoints one batch of one partition; returns once the batch's effect and its
     * checkpoint are durable. Throws when the state cannot take it (the SDK then retries the partition from
     * its last checkpoint).
     *
     * @param blobCheckpoint writes the external checkpoint for the batch's last message, or null for the
     *                       file store (whose checkpoint commits with the events)
     */
    void processBatch(PartitionContext partition, List<Message> messages, Runnable blobCheckpoint) {
        String hub = partition.getEventHubName();
        String pid = partition.getPartitionId();
        if (messages.isEmpty()) {
            metrics.eventHubsLag(hub, pid, 0); // maxWaitTime passed with nothing new: caught up
            return;
        }
        List<ConnectionEvent> events = new ArrayList<>(messages.size());
        List<DeadLetterLog.Entry> dead = List.of();
        int[] byFormat = new int[EventHubsFormat.values().length];
        for (Message m : messages) {
            EventHubsMessageDecoder.Decoded d = decoder.decode(m.body(), m.properties(), m.systemProperties(), m.enqueuedMillis());
            byFormat[d.format().ordinal()]++;
            if (d.format() == EventHubsFormat.RESOURCE_LOGS) {
                resourceLogs.accept(m.body(), pid, m.sequenceNumber());
            }
            events.addAll(d.events());
            for (Rejection r : d.rejections()) {
                if (dead.isEmpty()) {
                    dead = new ArrayList<>();
                }
                metrics.rejected(EventSource.EVENTHUBS, r.reason(), 1);
                dead.add(new DeadLetterLog.Entry(EventSource.EVENTHUBS, r.reason(), r.message(), m.body(), r.rawStart(),
                        r.rawEnd(), r.rawStart() >= 0, context(pid, m)));
            }
        }
        for (EventHubsFormat f : EventHubsFormat.values()) {
            if (byFormat[f.ordinal()] > 0) {
                metrics.eventHubsReceived(hub, pid, f.label(), byFormat[f.ordinal()]);
            }
        }
        if (!dead.isEmpty()) {
            await(deadLetters.append(dead)); // on disk before the checkpoint passes them
        }
        Message last = messages.get(messages.size() - 1);
        Map<String, byte[]> positions = blobCheckpoint == null
                ? Map.of(FileCheckpointStore.key(partition), FileCheckpointStore.encode(last.sequenceNumber(), last.offset()))
                : Map.of();
        if (blobCheckpoint == null) {
            // The checkpoint commits atomically with the events, so this batch needs no wait of its own: submit it
            // (in order, after the previous one), then wait for the previous batch. One batch in flight per partition
            // overlaps decoding with the group commit; the wait is the backpressure.
            CompletableFuture<ApplyResult> f = submit(events, positions);
            CompletableFuture<ApplyResult> previous = pending.put(pid, f);
            if (previous != null) {
                afterDurable(await(previous), pid);
            }
        } else if (!events.isEmpty()) {
            afterDurable(await(submit(events, positions)), pid);
        }
        if (blobCheckpoint != null) {
            blobCheckpoint.run();
        }
        if (last.enqueuedMillis() != EventTimes.INVALID) {
            metrics.eventHubsLag(hub, pid, Math.max(0, System.currentTimeMillis() - last.enqueuedMillis()) / 1000.0);
        }
    }

    private static String context(String partition, Message m) {
        return "partition=" + partition + " offset=" + m.offset() + " sequenceNumber=" + m.sequenceNumber();
    }

    /** The state's verdict on events it could not take: counted and dead-lettered. */
    private void afterDurable(ApplyResult result, String pid) {
        if (result.tooManyHubs().isEmpty()) {
            return;
        }
        List<DeadLetterLog.Entry> late = new ArrayList<>();
        for (ConnectionEvent e : result.tooManyHubs()) {
            metrics.rejected(EventSource.EVENTHUBS, RejectReason.TOO_MANY_HUBS, 1);
            late.add(new DeadLetterLog.Entry(EventSource.EVENTHUBS, RejectReason.TOO_MANY_HUBS, "hub " + e.hub()
                    + " exceeds state.maxHubs; device " + e.deviceLabel() + " not applied", new byte[0], 0, 0, false,
                    "partition=" + pid));
        }
        deadLetters.append(late);
    }

    /** Waits until the partition's last submitted batch is durable (partition closing). */
    void drain(PartitionContext partition) {
        CompletableFuture<ApplyResult> last = pending.remove(partition.getPartitionId());
        if (last != null) {
            afterDurable(await(last), partition.getPartitionId());
        }
    }

    /** Queues a batch; a full writer queue is waited out (backpressure), within a bound. Keeps submission order. */
    private CompletableFuture<ApplyResult> submit(List<ConnectionEvent> events, Map<String, byte[]> positions) {
        long deadline = System.nanoTime() + commitTimeout.toNanos();
        while (true) {
            CompletableFuture<ApplyResult> f = writer.submit(events, EventSource.EVENTHUBS, positions);
            if (!f.isCompletedExceptionally()) {
                return f;
            }
            try {
                f.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (!(e.getCause() instanceof StateWriter.OverloadedException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the state store did not take an Event Hubs batch: " + e.getCause(), e.getCause());
                }
            }
            try {
                Thread.sleep(OVERLOAD_PAUSE_MS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the state store was overloaded", ie);
            }
        }
    }

    /** Waits, bounded, for a batch to be durable (or dead letters to be written). */
    private <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for durable state", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("not durable: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("not durable within " + commitTimeout.toMillis() + " ms");
        }
    }

    /** Stops processing: in-flight batches finish and are checkpointed, partitions are released. */
    @Override
    public void close() {
        EventProcessorClient p = processor;
        if (p != null) {
            stopping = true;
            try {
                p.stop();
            } catch (RuntimeException e) {
                LOG.warn("Event Hubs processor stop: {}", e.toString());
            }
            processor = null;
        }
    }
}
