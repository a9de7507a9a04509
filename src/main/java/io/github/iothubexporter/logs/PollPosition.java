package io.github.iothubexporter.logs;

import io.github.iothubexporter.state.StateWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The poller's durable position in one workspace: the ingestion-time cursor C (every record ingested before C has
 * been read), the floor below which no late records are looked for, and the keys of the records counted in the
 * overlap window. It is saved as meta entries through the state writer, so a watermark moves only with the state
 * it produced. Changed only under the poller's lock; {@link #cursorMillis} is also read by metrics scrapes.
 */
final class PollPosition {
    // the poller's logger: operators filter on it, and the split into classes should not change that
    private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsPoller.class);
    private static final byte FORMAT = 1;

    private final StateWriter writer;
    private final String workspaceId;
    private final String cursorKey;
    private final String slotPrefix;
    private final long overlapTicks;

    private boolean loaded;
    private long cursor;
    private long floor;
    private SeenRecords seen = new SeenRecords();
    private volatile long cursorMillis = Long.MIN_VALUE;

    PollPosition(StateWriter writer, String workspaceId, long overlapTicks) {
        this.writer = writer;
        this.workspaceId = workspaceId;
        this.overlapTicks = overlapTicks;
        this.cursorKey = "loganalytics/" + workspaceId + "/cursor";
        this.slotPrefix = "loganalytics/" + workspaceId + "/seen/";
    }

    long cursor() {
        return cursor;
    }

    long floor() {
        return floor;
    }

    long overlapTicks() {
        return overlapTicks;
    }

    SeenRecords seen() {
        return seen;
    }

    /** The cursor in epoch milliseconds; {@link Long#MIN_VALUE} before the first position is known. */
    long cursorMillis() {
        return cursorMillis;
    }

    boolean loaded() {
        return loaded;
    }

    /** The in-memory position may differ from the durable one: read it again before the next poll. */
    void forget() {
        loaded = false;
    }

    /** The first position of a workspace without a saved one: nothing below {@code start} is read. */
    void startAt(long start) throws CommitFailure {
        cursor = start;
        floor = cursor;
        seen = new SeenRecords();
        commit();
        cursorMillis = Ticks.toMillis(cursor);
        LOG.info("Log Analytics: no saved position for workspace {}; starting at ingestion time {}",
                workspaceId, Instant.ofEpochMilli(Ticks.toMillis(cursor)));
    }

    /** Moves the cursor (never back), forgets keys older than the overlap, and commits. */
    void advanceTo(long newCursor) throws CommitFailure {
        cursor = Math.max(cursor, newCursor);
        seen.pruneBelow(cursor - overlapTicks);
        commit();
        cursorMillis = Ticks.toMillis(cursor);
    }

    /**
     * Merges the position another replica shared: the later cursor wins, with the floor that goes with it, and the
     * counted keys of both are kept, so the overlap check neither re-counts what the other replica counted nor looks
     * for late records where no keys are known. Committed before anything is counted.
     */
    void merge(SharedPosition shared) throws CommitFailure {
        if (shared.cursor() > cursor) {
            cursor = shared.cursor();
            floor = Math.max(shared.floor(), shared.cursor() - Math.min(shared.overlapTicks(), overlapTicks));
            seen.pruneBelow(cursor - overlapTicks);
        }
        long cutoff = cursor - Math.min(overlapTicks, shared.overlapTicks());
        for (byte[] bucket : shared.buckets()) {
            seen.merge(bucket, cutoff);
        }
        commit();
        cursorMillis = Ticks.toMillis(cursor);
    }

    /** This position as the lease blob carries it. */
    byte[] encodeShared() {
        return SharedPosition.encode(workspaceId, cursor, floor, overlapTicks, seen.encodeAll());
    }

    /** Durably writes the cursor and the seen-set minutes that changed; waits for the fsync. */
    private void commit() throws CommitFailure {
        Map<String, byte[]> positions = new LinkedHashMap<>();
        seen.drainWrites().forEach((slot, value) -> positions.put(slotPrefix + slot, value));
        positions.put(cursorKey, ByteBuffer.allocate(1 + 8 * 3).put(FORMAT).putLong(cursor).putLong(floor)
                .putLong(overlapTicks).array());
        try {
            writer.commitPositions(positions).get(60, TimeUnit.SECONDS);
            // (on failure the caller reloads the durable position, so drained writes are not lost track of)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommitFailure("interrupted while saving the Log Analytics position");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new CommitFailure("cannot save the Log Analytics position: " + cause);
        }
    }

    /** Reads the committed cursor and keys through the state writer. */
    void load() throws CommitFailure {
        Map<String, byte[]> stored;
        try {
            stored = writer.read(store -> {
                Map<String, byte[]> m = new LinkedHashMap<>();
                byte[] c = store.meta(cursorKey);
                if (c != null) {
                    m.put(cursorKey, c);
                }
                for (int i = 0; i < SeenRecords.SLOTS; i++) {
                    byte[] s = store.meta(slotPrefix + i);
                    if (s != null) {
                        m.put(slotPrefix + i, s);
                    }
                }
                return m;
            }).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommitFailure("interrupted while reading the Log Analytics position");
        } catch (ExecutionException | TimeoutException e) {
            throw new CommitFailure("cannot read the Log Analytics position: " + (e instanceof ExecutionException ? e.getCause() : e));
        }
        seen = new SeenRecords();
        byte[] c = stored.get(cursorKey);
        if (c == null || c.length != 25 || c[0] != FORMAT) {
            cursor = 0;
            floor = 0;
        } else {
            ByteBuffer b = ByteBuffer.wrap(c, 1, 24);
            cursor = b.getLong();
            floor = b.getLong();
            long storedOverlap = b.getLong();
            if (storedOverlap < overlapTicks) {
                // keys were kept for a shorter overlap: do not look for late records where none are remembered
                floor = Math.max(floor, cursor - storedOverlap);
            }
            for (Map.Entry<String, byte[]> e : stored.entrySet()) {
                if (e.getKey().startsWith(slotPrefix)) {
                    seen.decode(e.getValue(), cursor - Math.min(overlapTicks, storedOverlap));
                }
            }
            cursorMillis = Ticks.toMillis(cursor);
            LOG.info("Log Analytics: resuming workspace {} at ingestion time {} ({} recent records remembered)",
                    workspaceId, Instant.ofEpochMilli(cursorMillis), seen.size());
        }
        loaded = true;
    }

    /** The position could not be saved or read: nothing of the page is handed on. */
    static final class CommitFailure extends Exception {
        CommitFailure(String message) {
            super(message, null, false, false);
        }
    }
}
