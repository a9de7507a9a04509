package io.github.iothubexporter.state;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.SequenceNumber;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-memory state: per identity the latest event by sequence number, per hub the aggregates, and a
 * small key/value map of source positions (Event Hubs checkpoints, Log Analytics watermarks) that is
 * committed together with the events it covers. Single-threaded; owned by {@link StateWriter}.
 */
public final class StateStore {

    /** What applying one event did. */
    public enum Outcome { APPLIED, DUPLICATE, OUT_OF_ORDER, TOO_MANY_HUBS }

    final HubRegistry hubs;
    final StateStats stats;
    DeviceTable table = new DeviceTable();
    final Map<String, byte[]> meta = new HashMap<>();
    private final CriticalDevices critical;
    private final int maxCritical;
    private final DeviceFields fields = new DeviceFields(this);
    private TransitionObserver observer = TransitionObserver.NONE;
    /** Highest event time applied so far, and the event-time watermark decisions have been made up to. */
    private long maxEventTime;
    private long watermark;
    static final String META_WATERMARK = "state/watermark";
    static final String META_MAX_EVENT_TIME = "state/maxEventTime";

    public StateStore(int maxHubs, CriticalDevices critical, int maxCritical) {
        this.hubs = new HubRegistry(maxHubs);
        this.stats = new StateStats(maxHubs);
        this.critical = critical;
        this.maxCritical = maxCritical;
    }

    public StateStats stats() {
        return stats;
    }

    /** Installs the observer of transitions (the disconnect classifier). Call before recovery. */
    public void observer(TransitionObserver observer) {
        this.observer = observer;
    }

    public DeviceFields fields() {
        return fields;
    }

    public long maxEventTime() {
        return maxEventTime;
    }

    public long watermark() {
        return watermark;
    }

    /**
     * Moves the event-time watermark forward (never back) and lets the observer decide what waited for it.
     * Returns the number of decisions made.
     */
    public int advanceWatermark(long millis, boolean live) {
        if (millis <= watermark) {
            return 0;
        }
        watermark = millis;
        return observer.watermark(fields, millis, live);
    }

    public int size() {
        return table.size();
    }

    /**
     * Applies one event if its sequence number is the identity's highest so far.
     *
     * @param count false while replaying the journal: counters are per process, gauges are rebuilt
     */
    public Outcome apply(ConnectionEvent e, EventSource source, boolean count) {
        int hub = hubIndex(e.hub());
        if (hub < 0) {
            return Outcome.TOO_MANY_HUBS;
        }
        SequenceNumber s = e.sequenceNumber();
        int addr = table.find(hub, e.deviceId(), e.moduleId());
        boolean changed;
        boolean known = addr >= 0;
        boolean wasConnected = false;
        long previousTime = 0;
        if (addr < 0) {
            addr = table.insert(hub, e.deviceId(), e.moduleId());
            stats.addTracked(hub, 1);
            boolean crit = !critical.isEmpty() && stats.critical.size() < maxCritical
                    && critical.matches(e.hub(), e.deviceLabel());
            table.flags(addr, crit ? DeviceTable.FLAG_CRITICAL : 0);
            changed = true;
        } else {
            int cmp = SequenceNumber.compare(s.w0(), s.w1(), s.w2(), s.w3(),
                    table.seqWord(addr, 0), table.seqWord(addr, 1), table.seqWord(addr, 2), table.seqWord(addr, 3));
            if (cmp <= 0) {
                if (count) {
                    stats.bump(stats.ignored, hub * 2 + (cmp == 0 ? StateStats.IGNORED_DUPLICATE : StateStats.IGNORED_OUT_OF_ORDER));
                }
                return cmp == 0 ? Outcome.DUPLICATE : Outcome.OUT_OF_ORDER;
            }
            wasConnected = table.connected(addr);
            previousTime = table.eventTime(addr);
            changed = wasConnected != e.connected();
        }
        int flags = table.flags(addr);
        if (changed) {
            if (e.connected()) {
                stats.addConnected(hub, 1);
            } else if ((flags & DeviceTable.FLAG_CONNECTED) != 0) {
                stats.addConnected(hub, -1);
            }
            flags = e.connected() ? flags | DeviceTable.FLAG_CONNECTED : flags & ~DeviceTable.FLAG_CONNECTED;
            table.flags(addr, flags);
        }
        table.sequence(addr, s.w0(), s.w1(), s.w2(), s.w3());
        table.eventTime(addr, e.eventTimeMillis());
        if (count) {
            stats.bump(stats.applied, StateStats.appliedIndex(hub,
                    e.connected() ? StateStats.EVENT_CONNECTED : StateStats.EVENT_DISCONNECTED, source));
        }
        if ((flags & DeviceTable.FLAG_CRITICAL) != 0) {
            publishCritical(addr);
        }
        if (e.eventTimeMillis() > maxEventTime) {
            maxEventTime = e.eventTimeMillis();
        }
        observer.applied(fields, addr, hub, e, known, wasConnected, previousTime, count);
        return Outcome.APPLIED;
    }

    /** Applies a log-derived fact (ignored for identities without connection-state events: HTTPS-only, not active yet). */
    public void applyFact(DeviceFact fact, boolean live) {
        int hub = hubs.find(fact.hub());
        int addr = hub < 0 ? -1 : table.find(hub, fact.deviceId(), fact.moduleId());
        if (addr >= 0) {
            observer.fact(fields, addr, hub, fact, live);
        }
    }

    /** The kind a fact's record counts under, as far as the state knows now. */
    public String factKind(DeviceFact fact) {
        int hub = hubs.find(fact.hub());
        int addr = hub < 0 ? -1 : table.find(hub, fact.deviceId(), fact.moduleId());
        return addr < 0 ? "unknown" : observer.kindOf(fields, addr, fact);
    }

    private String lastHub;
    private int lastHubIndex;

    private int hubIndex(String hub) {
        if (hub == lastHub) {
            return lastHubIndex; // parsers hand out one String per hub and body
        }
        int before = hubs.size();
        int i = hubs.indexOf(hub);
        if (hubs.size() != before) {
            stats.publishHubs(hubs.names());
        }
        if (i >= 0) {
            lastHub = hub;
            lastHubIndex = i;
        }
        return i;
    }

    void publishCritical(int addr) {
        String hub = hubs.name(table.hub(addr));
        String dev = table.deviceId(addr);
        String mod = table.moduleId(addr);
        String label = mod.isEmpty() ? dev : dev + "/" + mod;
        stats.critical.put(hub + '\u0000' + label,
                new StateStats.CriticalState(hub, label, table.connected(addr), table.eventTime(addr),
                        (table.flags(addr) & DeviceTable.FLAG_GENUINE) != 0));
    }

    /** Recomputes critical flags (configuration may have changed since the snapshot) and aggregates. */
    void rebuildDerived() {
        stats.publishHubs(hubs.names());
        for (int h = 0; h < stats.maxHubs(); h++) {
            stats.connected.set(h, 0);
            stats.tracked.set(h, 0);
        }
        stats.critical.clear();
        table.forEach(addr -> {
            int hub = table.hub(addr);
            stats.addTracked(hub, 1);
            if (table.connected(addr)) {
                stats.addConnected(hub, 1);
            }
            int flags = table.flags(addr) & ~DeviceTable.FLAG_CRITICAL;
            String dev = table.deviceId(addr);
            String mod = table.moduleId(addr);
            if (!critical.isEmpty() && stats.critical.size() < maxCritical
                    && critical.matches(hubs.name(hub), mod.isEmpty() ? dev : dev + "/" + mod)) {
                flags |= DeviceTable.FLAG_CRITICAL;
            }
            table.flags(addr, flags);
            if ((flags & DeviceTable.FLAG_CRITICAL) != 0) {
                publishCritical(addr);
            }
        });
    }

    /** After a snapshot load, before the journal replays: restore time-keeping and the observer's structures. */
    void afterSnapshotLoad() {
        watermark = Math.max(watermark, longMeta(META_WATERMARK));
        maxEventTime = Math.max(maxEventTime, longMeta(META_MAX_EVENT_TIME));
        observer.restored(fields);
    }

    /** A journaled position or watermark during replay. */
    void replayMeta(String key, byte[] value) {
        meta.put(key, value);
        if (META_WATERMARK.equals(key) && value.length == 8) {
            advanceWatermark(java.nio.ByteBuffer.wrap(value).getLong(), false);
        }
    }

    private long longMeta(String key) {
        byte[] v = meta.get(key);
        return v != null && v.length == 8 ? java.nio.ByteBuffer.wrap(v).getLong() : 0;
    }

    /** Writes the time-keeping values and the observer's own state into the meta map, so a snapshot carries them. */
    void stampTimes() {
        observer.beforeSnapshot(fields);
        meta.put(META_WATERMARK, java.nio.ByteBuffer.allocate(8).putLong(watermark).array());
        meta.put(META_MAX_EVENT_TIME, java.nio.ByteBuffer.allocate(8).putLong(maxEventTime).array());
    }

    /** A copy of one identity's state, or null. Call on the writer thread. */
    public DeviceSnapshot lookup(String hub, String device, String module) {
        int h = hubs.find(hub.toLowerCase(java.util.Locale.ROOT));
        if (h < 0) {
            return null;
        }
        int addr = table.find(h, device, module == null ? "" : module);
        if (addr < 0) {
            return null;
        }
        return new DeviceSnapshot(hubs.name(h), table.deviceId(addr), table.moduleId(addr), table.connected(addr),
                new SequenceNumber(table.seqWord(addr, 0), table.seqWord(addr, 1), table.seqWord(addr, 2), table.seqWord(addr, 3)),
                table.eventTime(addr));
    }

    /**
     * One identity's state as seen by readers. Every applied event marks a change: IoT Hub reports the same
     * state twice only when it changed in between. So the latest event's time is also the last change, and it
     * does not depend on the order events arrived in.
     */
    public record DeviceSnapshot(String hub, String deviceId, String moduleId, boolean connected,
                                 SequenceNumber sequenceNumber, long eventTimeMillis) {
    }

    public byte[] meta(String key) {
        return meta.get(key);
    }

    /** The source positions whose keys start with {@code prefix} (a copy). Call on the writer thread. */
    public Map<String, byte[]> metaWithPrefix(String prefix) {
        Map<String, byte[]> out = new HashMap<>();
        for (Map.Entry<String, byte[]> e : meta.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}
