package io.github.iothubexporter.state;

import io.github.iothubexporter.model.EventSource;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Aggregates the state writer maintains incrementally on every transition and publishes for readers
 * (/metrics, /grafana). Written by one thread; read by any. Cost of reading does not grow with the fleet.
 */
public final class StateStats {
    public static final int EVENT_CONNECTED = 0;
    public static final int EVENT_DISCONNECTED = 1;
    public static final int IGNORED_DUPLICATE = 0;
    public static final int IGNORED_OUT_OF_ORDER = 1;
    private static final int SOURCES = EventSource.values().length;

    private final int maxHubs;
    final AtomicLongArray connected;
    final AtomicLongArray tracked;
    final AtomicLongArray applied;   // [hub][event][source]
    final AtomicLongArray ignored;   // [hub][reason]
    private volatile String[] hubs = new String[0];
    /** "hub\u0000deviceLabel" → state, for critical devices only (bounded by configuration). */
    final Map<String, CriticalState> critical = new ConcurrentHashMap<>();

    /**
     * Latest published state of one critical device; {@code changedMillis} is its latest event's time,
     * {@code offline} true once its current disconnect has outlasted the grace window (a genuine outage).
     */
    public record CriticalState(String hub, String device, boolean connected, long changedMillis, boolean offline) {
    }

    StateStats(int maxHubs) {
        this.maxHubs = maxHubs;
        connected = new AtomicLongArray(maxHubs);
        tracked = new AtomicLongArray(maxHubs);
        applied = new AtomicLongArray(maxHubs * 2 * SOURCES);
        ignored = new AtomicLongArray(maxHubs * 2);
    }

    void publishHubs(String[] names) {
        hubs = names;
    }

    static int appliedIndex(int hub, int event, EventSource source) {
        return (hub * 2 + event) * SOURCES + source.ordinal();
    }

    /** Single writer: a release store instead of an atomic read-modify-write (readers still see a whole value). */
    void bump(AtomicLongArray a, int i) {
        a.setRelease(i, a.getPlain(i) + 1);
    }

    void addConnected(int hub, long delta) {
        connected.setRelease(hub, connected.getPlain(hub) + delta);
    }

    void addTracked(int hub, long delta) {
        tracked.setRelease(hub, tracked.getPlain(hub) + delta);
    }

    /** Hub names by index; safe from any thread. */
    public String[] hubs() {
        return hubs;
    }

    public long connected(int hub) {
        return connected.get(hub);
    }

    public long tracked(int hub) {
        return tracked.get(hub);
    }

    public long applied(int hub, int event, EventSource source) {
        return applied.get(appliedIndex(hub, event, source));
    }

    public long ignored(int hub, int reason) {
        return ignored.get(hub * 2 + reason);
    }

    public Iterable<CriticalState> criticalDevices() {
        return critical.values();
    }

    public long totalConnected() {
        long sum = 0;
        for (int i = 0; i < hubs.length; i++) {
            sum += connected.get(i);
        }
        return sum;
    }

    public long totalTracked() {
        long sum = 0;
        for (int i = 0; i < hubs.length; i++) {
            sum += tracked.get(i);
        }
        return sum;
    }

    int maxHubs() {
        return maxHubs;
    }
}
