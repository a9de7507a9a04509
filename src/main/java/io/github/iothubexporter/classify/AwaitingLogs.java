package io.github.iothubexporter.classify;

import io.github.iothubexporter.state.DeviceFact;
import io.github.iothubexporter.state.DeviceFields;

/**
 * A disconnect that a reconnect followed within the grace window, and what its Connections records said so far.
 * The records carry the hub's own times, while connection-state events are 60-second snapshots: the records
 * settle what the snapshots leave open (a 401003 renewal signature, an error, an exact outage length).
 */
final class AwaitingLogs {
    /** A record belongs to a disconnect whose event (a 60 s snapshot) is at most this much later... */
    static final long EVIDENCE_BEFORE_MS = 120_000;
    /** ...or at most this much earlier (clock skew between the two pipelines). */
    static final long EVIDENCE_AFTER_MS = 30_000;
    /** IoT Hub samples connection state every 60 s. */
    static final long SNAPSHOT_MS = 60_000;
    static final int AUTH_EXPIRED = 401003;

    final int addr;
    final long since;
    final long reconnectedAt;
    final int age;
    /** Latest record times of each kind (0 = none); only those in this disconnect's window count. */
    long authTime;
    long otherTime;
    long cleanTime;
    /** The drop record that began the outage ({@link #beganOutage}), and the latest connect record. */
    long dropTime;
    long upTime;
    /** Set when the wait was handed over to the deferred set: the device dropped again meanwhile. */
    boolean droppedSoonAfter;
    long deadline;

    AwaitingLogs(int addr, long since, long reconnectedAt, int age) {
        this.addr = addr;
        this.since = since;
        this.reconnectedAt = reconnectedAt;
        this.age = age;
    }

    /** The evidence the device record holds for its pending disconnect. */
    static AwaitingLogs fromRecord(DeviceFields f, int addr) {
        AwaitingLogs a = new AwaitingLogs(addr, f.pendingSince(addr), f.reconnectedAt(addr), f.pendingAge(addr));
        a.authTime = f.authErrorTime(addr);
        a.otherTime = f.otherErrorTime(addr);
        a.cleanTime = f.cleanDisconnectTime(addr);
        a.dropTime = f.outageDropTime(addr);
        a.upTime = f.connectRecordTime(addr);
        return a;
    }

    /** Folds in one record of this identity (records of other outages fall outside the windows). */
    void add(DeviceFact fact) {
        long t = fact.timeMillis();
        if (fact.operation() == DeviceFact.CONNECT && !fact.error()) {
            upTime = betterConnect(upTime, t, reconnectedAt);
        } else if (fact.operation() == DeviceFact.DISCONNECT && inWindow(t, since)) {
            if (fact.error() && fact.code() == AUTH_EXPIRED) {
                authTime = Math.max(authTime, t);
            } else if (fact.error()) {
                otherTime = Math.max(otherTime, t);
            } else {
                cleanTime = Math.max(cleanTime, t);
            }
            if (!inWindow(dropTime, since) || beganOutage(t, dropTime, since)) {
                dropTime = t;
            }
        }
    }

    boolean auth() {
        return inWindow(authTime, since);
    }

    boolean otherError() {
        return inWindow(otherTime, since);
    }

    boolean clean() {
        return inWindow(cleanTime, since);
    }

    /** When the outage began by the hub's own records, or Long.MAX_VALUE when no record says. */
    long drop() {
        long drop = 0;
        for (long t : new long[]{authTime, otherTime, cleanTime, dropTime}) {
            if (inWindow(t, since) && (drop == 0 || beganOutage(t, drop, since))) {
                drop = t;
            }
        }
        return drop == 0 ? Long.MAX_VALUE : drop;
    }

    /**
     * Snapshots only place a drop and a reconnect within 60 s each, so an outage of 181-239 s can look like
     * 180 s: when both the drop and the reconnect are logged, their distance decides.
     */
    boolean outlasted(long graceMillis) {
        long drop = drop();
        if (drop == Long.MAX_VALUE) {
            return false;
        }
        if (explainsReconnect(upTime, drop)) {
            return upTime - drop > graceMillis;
        }
        // reconnected well before the snapshot that reported it: a .NET or C device that IoT Hub reports only from
        // its first message, and until that snapshot its connection state said disconnected
        return reportedLate(drop) && reconnectedAt - drop > graceMillis;
    }

    /** Whether the logged reconnect came after the drop but more than a snapshot (and the skew) before its report. */
    private boolean reportedLate(long drop) {
        return upTime > drop && upTime <= reconnectedAt - SNAPSHOT_MS - EVIDENCE_AFTER_MS;
    }

    /**
     * Whether the records settle the kind: the 401003 renewal signature (unless the observed gap is on the edge
     * of the grace window: a renewal the snapshots merged with a flap may have outlasted it), or both ends of the outage inside the
     * snapshot windows that reported them (the drop after the snapshot before {@link #since}, the connect after
     * the one before {@link #reconnectedAt}). A record in the clock-skew margins may yet be joined by the one
     * that really began or ended the outage (a flap in between), so that case waits for the deadline.
     */
    boolean complete(boolean onGraceEdge) {
        long drop = drop();
        if (auth() && !onGraceEdge) {
            // reported late, the outage's length hangs on the drop's exact time: the 404104 that follows the 401003
            return !(drop != Long.MAX_VALUE && reportedLate(drop)) || otherError() || clean();
        }
        return drop <= since && drop > since - SNAPSHOT_MS
                && upTime > drop && upTime > reconnectedAt - SNAPSHOT_MS && upTime <= reconnectedAt;
    }

    /**
     * Whether a deviceConnect record at {@code up} is the reconnect the snapshot at {@link #reconnectedAt}
     * reported: in the snapshot window before it (allowing for clock skew), after the drop. An earlier connect
     * belongs to a reconnect the snapshots never saw.
     */
    private boolean explainsReconnect(long up, long drop) {
        return up > drop && inReconnectWindow(up, reconnectedAt);
    }

    /**
     * Which of two deviceConnect record times to keep for a reconnect reported at {@code reconnectedAt} (0 = not
     * reported yet: the latest). One inside that snapshot's window (with clock-skew margins) beats one outside;
     * within it, one up to the snapshot beats one after it (skew), and then the latest wins: an earlier
     * connect ended a flap the snapshots merged into the outage.
     */
    static long betterConnect(long current, long t, long reconnectedAt) {
        if (reconnectedAt == 0) {
            return Math.max(current, t);
        }
        boolean currentIn = inReconnectWindow(current, reconnectedAt);
        boolean tIn = inReconnectWindow(t, reconnectedAt);
        if (currentIn != tIn) {
            return currentIn ? current : t;
        }
        if (!currentIn) {
            return Math.max(current, t);
        }
        boolean currentBefore = current <= reconnectedAt;
        boolean tBefore = t <= reconnectedAt;
        if (currentBefore != tBefore) {
            return currentBefore ? current : t;
        }
        return currentBefore ? Math.max(current, t) : Math.min(current, t);
    }

    private static boolean inReconnectWindow(long up, long reconnectedAt) {
        return up > reconnectedAt - SNAPSHOT_MS - EVIDENCE_AFTER_MS && up <= reconnectedAt + EVIDENCE_AFTER_MS;
    }

    static boolean inWindow(long recordMillis, long disconnectMillis) {
        return recordMillis != 0 && recordMillis >= disconnectMillis - EVIDENCE_BEFORE_MS
                && recordMillis <= disconnectMillis + EVIDENCE_AFTER_MS;
    }

    /**
     * Whether drop record {@code a} explains the disconnect snapshot at {@code snapshotMillis} better than
     * {@code b}. The drop it reported happened before it, so the latest drop up to the snapshot wins (an
     * earlier one ended in a reconnect the snapshots missed). A drop just after it counts only when there is
     * none before (clock skew), and then the earliest: a later one is a second drop the snapshots merged in.
     */
    static boolean beganOutage(long a, long b, long snapshotMillis) {
        boolean aBefore = a <= snapshotMillis;
        boolean bBefore = b <= snapshotMillis;
        if (aBefore != bBefore) {
            return aBefore;
        }
        return aBefore ? a > b : a < b;
    }
}
