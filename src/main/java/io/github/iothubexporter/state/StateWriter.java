package io.github.iothubexporter.state;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one writer of the state. Every input submits batches here; a dedicated thread applies them in
 * order, journals what changed, fsyncs once per group of batches (group commit), and only then completes
 * the batches' futures, so a webhook is answered, or an Event Hubs checkpoint written, only for durable state.
 * Snapshots are taken on this thread between groups, bounding the journal.
 */
public final class StateWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);
    private static final int MAX_GROUP = 256;

    /** Durability settings. */
    public record Options(Path dir, boolean fsync, Duration snapshotInterval, long snapshotJournalBytes, int queueCapacity,
                          Duration lateness) {
        public Options(Path dir, boolean fsync, Duration snapshotInterval, long snapshotJournalBytes, int queueCapacity) {
            this(dir, fsync, snapshotInterval, snapshotJournalBytes, queueCapacity, Duration.ofSeconds(4));
        }
    }

    /** Processing counts as caught up (live) when the newest event time is this close to the clock. */
    static final long LIVE_THRESHOLD_MS = 5 * 60_000;

    private final Options options;
    private final StateStore store;
    private final List<StateListener> listeners = new ArrayList<>();
    private final Clock clock;
    private final BlockingQueue<Object> queue;
    private final Journal journal;
    private volatile boolean ready;
    private volatile boolean running;
    private volatile boolean halted;
    private StateDirectoryLock lock;
    private volatile Throwable failure;
    private Thread thread;
    private long lastSnapshotMillis;
    private volatile long lastSnapshotBytes;

    public StateWriter(Options options, StateStore store, Clock clock) {
        this.options = options;
        this.store = store;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        this.journal = new Journal(options.dir());
    }

    public void addListener(StateListener listener) {
        listeners.add(listener);
    }

    public StateStore store() {
        return store;
    }

    /** Loads the snapshot and replays the journal; call once before {@link #start()}. */
    public void recover() throws IOException {
        Path dir = options.dir();
        Files.createDirectories(dir);
        lock = StateDirectoryLock.acquire(dir);
        long t0 = System.nanoTime();
        long next = Snapshots.read(dir, store);
        store.afterSnapshotLoad();
        long replayed = 0;
        long lastSegment = next - 1;
        Journal.Replay sink = new Journal.Replay() {
            @Override
            public void event(ConnectionEvent e, EventSource source) {
                store.apply(e, source, false);
            }

            @Override
            public void meta(String key, byte[] value) {
                store.replayMeta(key, value);
            }

            @Override
            public void fact(DeviceFact fact) {
                store.applyFact(fact, false);
            }
        };
        for (long seg : Journal.segments(dir)) {
            if (seg >= next) {
                replayed += Journal.replay(Journal.segmentPath(dir, seg), sink, LOG::warn);
            }
            lastSegment = Math.max(lastSegment, seg);
        }
        store.rebuildDerived();
        journal.open(Math.max(lastSegment + 1, 0));
        lastSnapshotMillis = clock.millis();
        LOG.info("State restored from {}: {} identities ({} journal records replayed) in {} ms", dir, store.size(),
                replayed, (System.nanoTime() - t0) / 1_000_000);
    }

    public void start() {
        running = true;
        thread = new Thread(this::loop, "state-writer");
        thread.setDaemon(false);
        thread.start();
        ready = true;
    }

    /** True once the state is restored and the writer runs. */
    public boolean ready() {
        return ready && failure == null;
    }

    public Throwable failure() {
        return failure;
    }

    public long lastSnapshotBytes() {
        return lastSnapshotBytes;
    }

    /**
     * Queues a batch; the future completes when its effect is durable. {@code positions} (e.g. an Event Hubs
     * checkpoint) are committed atomically with the events. Fails at once with {@link OverloadedException}
     * when the queue is full, so callers can answer 503 rather than buffer without bound.
     */
    public CompletableFuture<ApplyResult> submit(List<ConnectionEvent> events, EventSource source, Map<String, byte[]> positions) {
        Batch b = new Batch(events, source, positions == null ? Map.of() : positions);
        offer(b, b.done);
        return b.done;
    }

    /**
     * Durably records source positions (an Event Hubs checkpoint, a Log Analytics watermark) on their own;
     * read them back with {@code read(store -> store.meta(key))}.
     */
    public CompletableFuture<ApplyResult> commitPositions(Map<String, byte[]> positions) {
        return submit(List.of(), EventSource.WEBHOOK, positions);
    }

    /**
     * Queues log-derived facts; the future completes, once they are durable, with the {@code kind} each
     * record counts under, in order.
     */
    public CompletableFuture<List<String>> submitFacts(List<DeviceFact> facts, Map<String, byte[]> positions) {
        Batch b = new Batch(List.of(), EventSource.WEBHOOK, positions == null ? Map.of() : positions);
        b.facts = facts;
        CompletableFuture<List<String>> kinds = b.done.thenApply(r -> b.kinds);
        offer(b, b.done);
        return kinds;
    }

    /** Runs a read on the writer thread (consistent view of the state). */
    public <T> CompletableFuture<T> read(Function<StateStore, T> fn) {
        Task<T> t = new Task<>(fn);
        offer(t, t.done);
        return t.done;
    }

    private void offer(Object work, CompletableFuture<?> done) {
        if (failure != null) {
            done.completeExceptionally(new IllegalStateException("state writer stopped", failure));
        } else if (!running || !queue.offer(work)) {
            done.completeExceptionally(new OverloadedException());
        }
    }

    private void loop() {
        List<Object> group = new ArrayList<>(MAX_GROUP);
        List<Batch> committed = new ArrayList<>(MAX_GROUP);
        try {
            while (running || !queue.isEmpty()) {
                Object first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    group.add(first);
                    queue.drainTo(group, MAX_GROUP - 1);
                    long now = clock.millis();
                    for (Object w : group) {
                        if (w instanceof Batch b) {
                            b.result = applyBatch(b, now);
                            committed.add(b);
                        } else {
                            ((Task<?>) w).run(store);
                        }
                    }
                    boolean decided = advanceWatermark();
                    if (!committed.isEmpty() || decided) {
                        journal.flush(options.fsync());
                        for (Batch b : committed) {
                            b.done.complete(b.result);
                        }
                    }
                    group.clear();
                    committed.clear();
                } else if (advanceWatermark()) {
                    journal.flush(options.fsync());
                }
                maybeSnapshot(false);
            }
            if (!halted) {
                snapshot();
            }
            journal.close();
            lock.close();
        } catch (Throwable t) {
            failure = t;
            LOG.error("State writer failed; inputs will be refused until restart", t);
            for (Batch b : committed) {
                b.done.completeExceptionally(t);
            }
            Object w;
            while ((w = queue.poll()) != null) {
                (w instanceof Batch b ? b.done : ((Task<?>) w).done).completeExceptionally(t);
            }
        }
    }

    /**
     * Event time moves on: with the newest event time when replaying a backlog, with the clock when caught up
     * (so a quiet fleet still gets its genuine outages decided), less the allowed lateness of deliveries.
     * Advances that decide something are journaled, so a replay makes the same decisions at the same point.
     */
    private boolean advanceWatermark() {
        long newest = store.maxEventTime();
        if (newest == 0) {
            return false;
        }
        long now = clock.millis();
        long base = now - newest < LIVE_THRESHOLD_MS ? Math.max(now, newest) : newest;
        long w = base - options.lateness().toMillis();
        if (w <= store.watermark()) {
            return false;
        }
        int decisions = store.advanceWatermark(w, true);
        if (decisions > 0) {
            journal.appendMeta(StateStore.META_WATERMARK, java.nio.ByteBuffer.allocate(8).putLong(w).array());
            return true;
        }
        return false;
    }

    private ApplyResult applyBatch(Batch b, long now) {
        int applied = 0, dup = 0, old = 0;
        List<ConnectionEvent> tooMany = List.of();
        for (ConnectionEvent e : b.events) {
            switch (store.apply(e, b.source, true)) {
                case APPLIED -> {
                    applied++;
                    journal.appendEvent(e, b.source);
                    for (StateListener l : listeners) {
                        l.applied(e, b.source, now);
                    }
                }
                case DUPLICATE -> dup++;
                case OUT_OF_ORDER -> old++;
                case TOO_MANY_HUBS -> {
                    if (tooMany.isEmpty()) {
                        tooMany = new ArrayList<>();
                    }
                    tooMany.add(e);
                }
            }
        }
        if (!b.facts.isEmpty()) {
            for (DeviceFact f : b.facts) {
                journal.appendFact(f);
                store.applyFact(f, true);
            }
            List<String> kinds = new ArrayList<>(b.facts.size());
            for (DeviceFact f : b.facts) {
                kinds.add(store.factKind(f)); // after the whole batch: a record takes the kind its neighbours decided
            }
            b.kinds = kinds;
        }
        for (Map.Entry<String, byte[]> p : b.positions.entrySet()) {
            store.meta.put(p.getKey(), p.getValue());
            journal.appendMeta(p.getKey(), p.getValue());
        }
        return new ApplyResult(applied, dup, old, tooMany);
    }

    private void maybeSnapshot(boolean force) throws IOException {
        long now = clock.millis();
        // a snapshot costs about its own size in writes: let the journal grow at least that much first
        long threshold = Math.max(options.snapshotJournalBytes(), lastSnapshotBytes);
        if (force || journal.segmentBytes() >= threshold
                || (journal.segmentBytes() > 0 && now - lastSnapshotMillis >= options.snapshotInterval().toMillis())) {
            snapshot();
        }
    }

    private void snapshot() throws IOException {
        long t0 = System.nanoTime();
        journal.flush(true);
        long next = journal.segment() + 1;
        journal.open(next);
        lastSnapshotBytes = Snapshots.write(options.dir(), store, next);
        for (long seg : Journal.segments(options.dir())) {
            if (seg < next) {
                Files.deleteIfExists(Journal.segmentPath(options.dir(), seg));
            }
        }
        lastSnapshotMillis = clock.millis();
        LOG.debug("Snapshot of {} identities ({} bytes) in {} ms", store.size(), lastSnapshotBytes, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Test aid: stops like a crash would, with no final snapshot (only what was fsynced remains). */
    void halt() throws InterruptedException {
        halted = true;
        close();
    }

    /** Stops accepting work, drains the queue, writes a final snapshot. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        ready = false;
        if (thread != null) {
            thread.join(30_000);
        }
    }

    /** The writer's queue is full: the caller should shed load (HTTP 503). */
    public static final class OverloadedException extends RuntimeException {
        public OverloadedException() {
            super("state writer queue is full", null, false, false);
        }
    }

    private static final class Batch {
        final List<ConnectionEvent> events;
        final EventSource source;
        final Map<String, byte[]> positions;
        final CompletableFuture<ApplyResult> done = new CompletableFuture<>();
        ApplyResult result;
        List<DeviceFact> facts = List.of();
        List<String> kinds = List.of();

        Batch(List<ConnectionEvent> events, EventSource source, Map<String, byte[]> positions) {
            this.events = events;
            this.source = source;
            this.positions = positions;
        }
    }

    private static final class Task<T> {
        final Function<StateStore, T> fn;
        final CompletableFuture<T> done = new CompletableFuture<>();

        Task(Function<StateStore, T> fn) {
            this.fn = fn;
        }

        void run(StateStore store) {
            try {
                done.complete(fn.apply(store));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
