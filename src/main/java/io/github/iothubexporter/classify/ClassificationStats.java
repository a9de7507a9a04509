package io.github.iothubexporter.classify;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the classifier publishes for /metrics: disconnect counters by (hub, kind, sdk, version), reconnect
 * duration histograms by (hub, kind), and offline devices per hub. Written by the state writer only.
 */
public final class ClassificationStats {
    /** Upper bounds of the reconnect-duration buckets, seconds. */
    public static final double[] BUCKETS = {5, 15, 30, 60, 120, 180, 300, 600, 1800, 3600, 7200, 21600, 86400};
    private static final int KINDS = DisconnectKind.values().length;

    private final int maxHubs;
    final Map<Long, AtomicLong> disconnects = new ConcurrentHashMap<>();
    final AtomicLongArray offline;
    private final AtomicLongArray bucketCounts;   // [hub][kind][bucket incl. +Inf]
    private final AtomicLongArray durationMillisSum; // [hub][kind]

    ClassificationStats(int maxHubs) {
        this.maxHubs = maxHubs;
        offline = new AtomicLongArray(maxHubs);
        bucketCounts = new AtomicLongArray(maxHubs * KINDS * (BUCKETS.length + 1));
        durationMillisSum = new AtomicLongArray(maxHubs * KINDS);
    }

    static long key(int hub, DisconnectKind kind, int sdk, int version) {
        return ((long) hub << 32) | ((long) kind.ordinal() << 24) | ((long) sdk << 16) | (version & 0xffff);
    }

    void countDisconnect(int hub, DisconnectKind kind, int sdk, int version) {
        disconnects.computeIfAbsent(key(hub, kind, sdk, version), k -> new AtomicLong()).incrementAndGet();
    }

    void observeReconnect(int hub, DisconnectKind kind, long millis) {
        double seconds = millis / 1000.0;
        int b = 0;
        while (b < BUCKETS.length && seconds > BUCKETS[b]) {
            b++;
        }
        int base = (hub * KINDS + kind.ordinal()) * (BUCKETS.length + 1);
        bucketCounts.incrementAndGet(base + b);
        durationMillisSum.addAndGet(hub * KINDS + kind.ordinal(), millis);
    }

    // ---- readers -------------------------------------------------------------------------------

    /** One disconnect counter: indices to be turned into labels by the caller. */
    public record DisconnectCount(int hub, DisconnectKind kind, int sdk, int version, long count) {
    }

    public Iterable<DisconnectCount> disconnectCounts() {
        return disconnects.entrySet().stream().map(e -> {
            long k = e.getKey();
            return new DisconnectCount((int) (k >>> 32), DisconnectKind.values()[(int) ((k >>> 24) & 0xff)],
                    (int) ((k >>> 16) & 0xff), (int) (k & 0xffff), e.getValue().get());
        }).toList();
    }

    public long offline(int hub) {
        return offline.get(hub);
    }

    /** Non-cumulative bucket counts (last = +Inf) of one hub and kind. */
    public long[] buckets(int hub, DisconnectKind kind) {
        long[] out = new long[BUCKETS.length + 1];
        int base = (hub * KINDS + kind.ordinal()) * (BUCKETS.length + 1);
        for (int i = 0; i < out.length; i++) {
            out[i] = bucketCounts.get(base + i);
        }
        return out;
    }

    public double sumSeconds(int hub, DisconnectKind kind) {
        return durationMillisSum.get(hub * KINDS + kind.ordinal()) / 1000.0;
    }

    int maxHubs() {
        return maxHubs;
    }
}
