package io.github.iothubexporter.state;

import io.github.iothubexporter.model.ConnectionEvent;

/**
 * Sees every applied event with the identity's previous state, and every advance of the event-time
 * watermark, on the writer thread. Decisions it makes must depend only on that ordered input, so replaying
 * the journal reproduces them ({@code live} is false during replay: count nothing, only rebuild state).
 */
public interface TransitionObserver {
    /**
     * @param addr            the identity's record (see {@link DeviceFields})
     * @param known           false when this event created the identity
     * @param wasConnected    the previous state (meaningless when !known)
     * @param previousTime    the previous event's time (meaningless when !known)
     */
    void applied(DeviceFields fields, int addr, int hub, ConnectionEvent event, boolean known, boolean wasConnected,
                 long previousTime, boolean live);

    /** Event time has advanced to {@code watermarkMillis}: decide what waited for it. Returns decisions made. */
    int watermark(DeviceFields fields, long watermarkMillis, boolean live);

    /** A log-derived fact about a known identity. */
    void fact(DeviceFields fields, int addr, int hub, DeviceFact fact, boolean live);

    /**
     * The {@code kind} label a fact's record counts under ("unknown" when it matches no classified disconnect).
     * Asked after a whole batch of facts is applied, so a record can take the kind its neighbours decided.
     */
    String kindOf(DeviceFields fields, int addr, DeviceFact fact);

    /** The table was loaded from a snapshot: rebuild derived structures and gauges. */
    void restored(DeviceFields fields);

    /**
     * A snapshot is about to be written: put what lives outside the device records into meta values (they
     * travel in the snapshot; the journal after it replays the rest).
     */
    default void beforeSnapshot(DeviceFields fields) {
    }

    TransitionObserver NONE = new TransitionObserver() {
        @Override
        public void applied(DeviceFields f, int addr, int hub, ConnectionEvent e, boolean known, boolean was, long prev, boolean live) {
        }

        @Override
        public int watermark(DeviceFields f, long w, boolean live) {
            return 0;
        }

        @Override
        public void fact(DeviceFields f, int addr, int hub, DeviceFact fact, boolean live) {
        }

        @Override
        public String kindOf(DeviceFields f, int addr, DeviceFact fact) {
            return "unknown";
        }

        @Override
        public void restored(DeviceFields f) {
        }
    };
}
