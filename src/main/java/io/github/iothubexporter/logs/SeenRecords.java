package io.github.iothubexporter.logs;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * The records the poller has already counted whose ingestion time is still inside the overlap window: a
 * 64-bit content key and the ingestion tick of each, in an open-addressing table (16 bytes a slot).
 * <p>
 * It answers "was this row counted?" when windows are read again, and "how many rows of each ingestion
 * second were counted?" for the overlap check. It is persisted in ingestion-minute slots ({@link #encodeMinute}),
 * and only minutes that changed are rewritten, so each commit writes about the new records' keys rather than
 * the whole set. Not thread-safe (the poller's thread owns it).
 */
final class SeenRecords {
    static final long TICKS_PER_MINUTE = 60 * Ticks.PER_SECOND;
    private static final byte FORMAT = 1;
    /** Above this many keys in one ingestion minute a slot would approach the journal's frame limit. */
    static final int MAX_PER_MINUTE = 600_000;

    private long[] keys = new long[1024];
    private long[] ticks = new long[1024];
    private int size;
    private final TreeSet<Long> dirtyMinutes = new TreeSet<>();

    int size() {
        return size;
    }

    boolean contains(long key) {
        return find(key) >= 0;
    }

    /** Adds a counted row; false when its key was already there. */
    boolean add(long key, long tick) {
        if (key == 0) {
            key = 1;
        }
        if (find(key) >= 0) {
            return false;
        }
        if ((size + 1) * 4L > keys.length * 3L) {
            resize(keys.length * 2);
        }
        insert(key, tick);
        dirtyMinutes.add(Math.floorDiv(tick, TICKS_PER_MINUTE));
        return true;
    }

    private void insert(long key, long tick) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        ticks[i] = tick;
        size++;
    }

    private int find(long key) {
        if (key == 0) {
            key = 1;
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (true) {
            long k = keys[i];
            if (k == key) {
                return i;
            }
            if (k == 0) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        long[] oldTicks = ticks;
        keys = new long[capacity];
        ticks = new long[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                insert(oldKeys[i], oldTicks[i]);
            }
        }
    }

    /** Forgets rows ingested before {@code cutoff}: they are outside every window still to be read again. */
    void pruneBelow(long cutoff) {
        int remaining = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0 && ticks[i] >= cutoff) {
                remaining++;
            }
        }
        if (remaining == size) {
            return;
        }
        int capacity = 1024;
        while (capacity * 3L < remaining * 4L + 4) {
            capacity *= 2;
        }
        long[] oldKeys = keys;
        long[] oldTicks = ticks;
        keys = new long[capacity];
        ticks = new long[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0 && oldTicks[i] >= cutoff) {
                insert(oldKeys[i], oldTicks[i]);
            }
        }
        dirtyMinutes.removeIf(m -> (m + 1) * TICKS_PER_MINUTE <= cutoff);
    }

    /**
     * Counted rows per ingestion second in [lo, hi): pairs (second start tick, count), ascending, flattened
     * into one array {@code [s0, c0, s1, c1, ...]}.
     */
    long[] countBySecond(long lo, long hi) {
        long[] seconds = new long[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0 && ticks[i] >= lo && ticks[i] < hi) {
                seconds[n++] = Ticks.floorSecond(ticks[i]);
            }
        }
        Arrays.sort(seconds, 0, n);
        long[] out = new long[2 * n];
        int m = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && seconds[j] == seconds[i]) {
                j++;
            }
            out[m++] = seconds[i];
            out[m++] = j - i;
            i = j;
        }
        return Arrays.copyOf(out, m);
    }

    /** Minutes (ingestion minute numbers) whose rows changed since {@link #clearDirty}. */
    long[] dirtyMinutes() {
        return dirtyMinutes.stream().mapToLong(Long::longValue).toArray();
    }

    void clearDirty() {
        dirtyMinutes.clear();
    }

    void markAllDirty() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                dirtyMinutes.add(Math.floorDiv(ticks[i], TICKS_PER_MINUTE));
            }
        }
    }

    /** The rows of one ingestion minute: format, minute, count, then (tick offset in the minute, key) each. */
    byte[] encodeMinute(long minute) {
        int n = 0;
        long from = minute * TICKS_PER_MINUTE;
        long to = from + TICKS_PER_MINUTE;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0 && ticks[i] >= from && ticks[i] < to) {
                n++;
            }
        }
        int written = Math.min(n, MAX_PER_MINUTE);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + written * 12);
        b.put(FORMAT).putLong(minute).putInt(written);
        int k = 0;
        for (int i = 0; i < keys.length && k < written; i++) {
            if (keys[i] != 0 && ticks[i] >= from && ticks[i] < to) {
                b.putInt((int) (ticks[i] - from)).putLong(keys[i]);
                k++;
            }
        }
        return b.array();
    }

    /** Adds the rows of an encoded minute whose ticks are at or above {@code cutoff}; ignores foreign formats. */
    void decodeMinute(byte[] value, long cutoff) {
        if (value == null || value.length < 13 || value[0] != FORMAT) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        b.get();
        long from = b.getLong() * TICKS_PER_MINUTE;
        int n = b.getInt();
        if (value.length < 13 + 12L * n) {
            return;
        }
        for (int i = 0; i < n; i++) {
            long tick = from + b.getInt();
            long key = b.getLong();
            if (tick >= cutoff && find(key) < 0) {
                if ((size + 1) * 4L > keys.length * 3L) {
                    resize(keys.length * 2);
                }
                insert(key, tick);
            }
        }
    }

    /** 64-bit content key of a row (FNV-1a over the cells, then a finalizer); never 0. */
    static long key(String[] cells) {
        long h = 0xcbf29ce484222325L;
        for (String c : cells) {
            if (c != null) {
                for (int i = 0; i < c.length(); i++) {
                    char ch = c.charAt(i);
                    h = (h ^ (ch & 0xff)) * 0x100000001b3L;
                    h = (h ^ (ch >>> 8)) * 0x100000001b3L;
                }
            }
            h = (h ^ 0x1e) * 0x100000001b3L; // cell separator; null and "" hash alike on purpose
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
