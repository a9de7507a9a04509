package io.github.iothubexporter.classify;

/** Told about every decision, on the state writer thread. Must not block. */
public interface ClassificationListener {
    void classified(Decision decision);

    /**
     * A device that counted as offline (its genuine decision came with {@code reconnectMillis == -1}) has reconnected:
     * {@code outage} repeats that disconnect with the reconnect's event time. Live and during replay.
     */
    default void outageEnded(Decision outage) {
    }

    /**
     * The state was loaded from a snapshot: forget what was derived from earlier decisions. Each device that is offline
     * in the snapshot follows as {@link #offlineRestored}; the journal's replay then follows as usual.
     */
    default void restoring() {
    }

    /** A device offline in the loaded snapshot (a genuine outage, {@code reconnectMillis == -1}, not live). */
    default void offlineRestored(Decision outage) {
    }
}
