package bench.storage;

import bench.storage.Model.Checkpoint;
import bench.storage.Model.Event;
import bench.storage.Model.Key;
import bench.storage.Model.Recovered;
import bench.storage.Model.State;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A storage candidate. */
interface Engine {
    String name();

    /**
     * Opens the store for the single writer. {@code table} is the writer's in-memory table; it is already updated
     * with a batch's changes when {@link Writer#commit} is called (the journal snapshots it).
     */
    Writer openWriter(Path dir, Map<Key, State> table) throws Exception;

    /** Setup only (not timed): write a full table of state quickly, as if it had been accumulated over time. */
    void bulkLoad(Path dir, Map<Key, State> table, Checkpoint cp) throws Exception;

    /** Rebuilds the full in-memory table (and checkpoints) from disk, as after a restart. */
    Recovered recover(Path dir, int expectedIdentities) throws Exception;

    /** Time spent loading native code in the last {@link #recover} (0 for pure Java), in nanoseconds. */
    default long lastNativeLoadNanos() {
        return 0;
    }

    interface Writer extends AutoCloseable {
        /** Makes the changed events of one batch plus the checkpoint durable, atomically. Returns after fsync. */
        void commit(List<Event> changed, Checkpoint cp) throws Exception;

        /** Free-form notes for the results table (snapshot counts, ...). */
        default String notes() {
            return "";
        }

        /** Time the writer spent on housekeeping inside commits (journal snapshots), in nanoseconds. */
        default long housekeepingNanos() {
            return 0;
        }

        @Override
        void close() throws Exception;
    }

    static Engine byName(String name) {
        return switch (name) {
            case "journal" -> new JournalEngine();
            case "sqlite" -> new SqliteEngine();
            case "rocksdb" -> new RocksEngine();
            default -> throw new IllegalArgumentException("unknown engine " + name);
        };
    }
}
