package io.github.iothubexporter.classify;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Devices that recently showed a pattern (flapping, a duplicate identity), with per-device counts in a sliding
 * window of event time. Bounded: past {@code capacity} devices new ones are not tracked (and counted as dropped).
 * Written by the state writer; read by /metrics and the Grafana backend.
 */
public final class RecentDevices {
    /** One tracked device: the window it counts in, how often it happened, and when last. */
    public record Entry(String hub, String device, long windowStartMillis, int count, long lastMillis) {
    }

    private final long windowMillis;
    private final int threshold;
    private final int capacity;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private long dropped;

    RecentDevices(long windowMillis, int threshold, int capacity) {
        this.windowMillis = windowMillis;
        this.threshold = threshold;
        this.capacity = capacity;
    }

    /** Records one occurrence at {@code millis} (event time). */
    void record(String hub, String device, long millis) {
        String key = hub + '\u0000' + device;
        Entry e = entries.get(key);
        if (e == null) {
            if (entries.size() >= capacity) {
                dropped++;
                return;
            }
            entries.put(key, new Entry(hub, device, millis, 1, millis));
        } else if (millis - e.windowStartMillis() > windowMillis) {
            entries.put(key, new Entry(hub, device, millis, 1, Math.max(millis, e.lastMillis())));
        } else {
            entries.put(key, new Entry(hub, device, e.windowStartMillis(), e.count() + 1, Math.max(millis, e.lastMillis())));
        }
    }

    /** Forgets devices whose last occurrence is older than the window. */
    void expire(long nowMillis) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            if (nowMillis - it.next().lastMillis() > windowMillis) {
                it.remove();
            }
        }
    }

    /** Devices at or over the threshold, for the per-hub gauge and the Grafana backend. */
    public Iterable<Entry> active() {
        return entries.values().stream().filter(e -> e.count() >= threshold).toList();
    }

    public long countActive(String hub) {
        return entries.values().stream().filter(e -> e.count() >= threshold && e.hub().equals(hub)).count();
    }

    public long dropped() {
        return dropped;
    }

    /** The tracked devices as bytes, for a snapshot's meta value. */
    byte[] encode() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeInt(entries.size());
            for (Entry e : entries.values()) {
                out.writeUTF(e.hub());
                out.writeUTF(e.device());
                out.writeLong(e.windowStartMillis());
                out.writeInt(e.count());
                out.writeLong(e.lastMillis());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Replaces the tracked devices with those of {@link #encode}. */
    void decode(byte[] value) {
        entries.clear();
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(value))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                Entry e = new Entry(in.readUTF(), in.readUTF(), in.readLong(), in.readInt(), in.readLong());
                entries.put(e.hub() + '\u0000' + e.device(), e);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("unreadable recent-device list", e);
        }
    }
}
