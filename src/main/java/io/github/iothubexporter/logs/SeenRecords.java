package io.github.iothubexporter.logs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The records the poller has already counted whose ingestion time is still inside the overlap window: a 64-bit
 * content key per row, in an open-addressing set, and the same keys grouped by 10-second ingestion bucket with each
 * row's tick.
 * <p>
 * It answers "was this row counted?" when windows are read again, and "how many rows of each ingestion second were
 * counted?" for the overlap check. It is persisted one bucket per slot of a ring of {@link #SLOTS} (64 minutes, more
 * than the longest overlap): a commit rewrites only the buckets that gained rows (about the new rows' keys, 12 bytes
 * each) and empties the slots of buckets that fell out of the window, so the stored set stays the size of the overlap.
 * Not thread-safe (the poller's thread owns it).
 */
final class SeenRecords {
    static final long BUCKET_TICKS = 10 * Ticks.PER_SECOND;
    static final int SLOTS = 384;
    /** Keeps one stored bucket under the journal's 16 MiB frame limit. */
    static final int MAX_PER_BUCKET = 1_000_000;
    private static final byte FORMAT = 2;
    private static final byte[] EMPTY = new byte[0];

    /** The rows of one bucket: tick offsets within the bucket and keys, in arrival order. */
    private static final class Bucket {
        int n;
        int[] offsets = new int[64];
        long[] keys = new long[64];
        boolean dirty;

        void append(int offset, long key) {
            if (n == keys.length) {
                offsets = Arrays.copyOf(offsets, n * 2);
                keys = Arrays.copyOf(keys, n * 2);
            }
            offsets[n] = offset;
            keys[n] = key;
            n++;
        }
    }

    private long[] table = new long[1024];
    private int tableSize;
    private int live;
    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    private final Set<Long> stored = new HashSet<>();
    private final Set<Long> toClear = new HashSet<>();

    /** Rows remembered (inside the window). */
    int size() {
        return live;
    }

    boolean contains(long key) {
        return find(key == 0 ? 1 : key) >= 0;
    }

    /** Adds a counted row; false when its key was already there. */
    boolean add(long key, long tick) {
        if (key == 0) {
            key = 1;
        }
        if (find(key) >= 0) {
            return false;
        }
        insert(key);
        long b = Math.floorDiv(tick, BUCKET_TICKS);
        Bucket bucket = buckets.computeIfAbsent(b, x -> new Bucket());
        bucket.append((int) (tick - b * BUCKET_TICKS), key);
        bucket.dirty = true;
        live++;
        return true;
    }

    private void insert(long key) {
        if ((tableSize + 1) * 4L > table.length * 3L) {
            rehash(table.length * 2);
        }
        int mask = table.length - 1;
        int i = slot(key, mask);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = key;
        tableSize++;
    }

    private int find(long key) {
        int mask = table.length - 1;
        int i = slot(key, mask);
        while (true) {
            long k = table[i];
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

    private void rehash(int capacity) {
        long[] old = table;
        table = new long[capacity];
        tableSize = 0;
        for (long k : old) {
            if (k != 0) {
                insert(k);
            }
        }
    }

    /**
     * Forgets the buckets that lie wholly below {@code cutoff}: no window still to be read reaches them. (Rows of
     * the bucket that holds the cutoff stay; they are harmless.) The key set is rebuilt only when most of it is out
     * of date, so pruning after every page is cheap.
     */
    void pruneBelow(long cutoff) {
        long first = Math.floorDiv(cutoff, BUCKET_TICKS);
        Iterator<Map.Entry<Long, Bucket>> it = buckets.headMap(first, false).entrySet().iterator();
        boolean removed = false;
        while (it.hasNext()) {
            Map.Entry<Long, Bucket> e = it.next();
            live -= e.getValue().n;
            if (stored.remove(e.getKey())) {
                toClear.add(e.getKey());
            }
            it.remove();
            removed = true;
        }
        if (removed && tableSize > 2L * live + 1024) {
            table = new long[Math.max(1024, Integer.highestOneBit(Math.max(1, live * 2)) * 2)];
            tableSize = 0;
            for (Bucket b : buckets.values()) {
                for (int i = 0; i < b.n; i++) {
                    insert(b.keys[i]);
                }
            }
        }
    }

    /**
     * Counted rows per ingestion second in [lo, hi): pairs (second start tick, count), ascending, flattened into one
     * array {@code [s0, c0, s1, c1, ...]}.
     */
    long[] countBySecond(long lo, long hi) {
        long[] seconds = new long[16];
        int n = 0;
        for (Map.Entry<Long, Bucket> e : buckets.subMap(Math.floorDiv(lo, BUCKET_TICKS), true,
                Math.floorDiv(hi - 1, BUCKET_TICKS), true).entrySet()) {
            long base = e.getKey() * BUCKET_TICKS;
            Bucket b = e.getValue();
            for (int i = 0; i < b.n; i++) {
                long tick = base + b.offsets[i];
                if (tick >= lo && tick < hi) {
                    if (n == seconds.length) {
                        seconds = Arrays.copyOf(seconds, n * 2);
                    }
                    seconds[n++] = Ticks.floorSecond(tick);
                }
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

    /**
     * What to store since the last call: slot → the bucket's rows for buckets that gained rows, slot → empty for
     * stored buckets that left the window (unless a live bucket takes the slot in the same write).
     */
    Map<Integer, byte[]> drainWrites() {
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        for (long b : toClear) {
            out.put(slotOf(b), EMPTY);
        }
        toClear.clear();
        for (Map.Entry<Long, Bucket> e : buckets.entrySet()) {
            Bucket b = e.getValue();
            if (b.dirty) {
                out.put(slotOf(e.getKey()), encode(e.getKey(), b));
                stored.add(e.getKey());
                b.dirty = false;
            }
        }
        return out;
    }

    static int slotOf(long bucket) {
        return (int) Math.floorMod(bucket, (long) SLOTS);
    }

    private static byte[] encode(long bucket, Bucket b) {
        int n = Math.min(b.n, MAX_PER_BUCKET);
        ByteBuffer buf = ByteBuffer.allocate(1 + 8 + 4 + n * 12);
        buf.put(FORMAT).putLong(bucket).putInt(n);
        for (int i = 0; i < n; i++) {
            buf.putInt(b.offsets[i]).putLong(b.keys[i]);
        }
        return buf.array();
    }

    /** Every bucket in the window, encoded as for a slot: what another replica needs to recognise the rows counted here. */
    List<byte[]> encodeAll() {
        List<byte[]> out = new ArrayList<>(buckets.size());
        buckets.forEach((bucket, b) -> out.add(encode(bucket, b)));
        return out;
    }

    /**
     * Adds the rows of a stored bucket unless the bucket lies wholly below {@code cutoff} (then its slot is emptied
     * at the next write). Values of another format are ignored.
     */
    void decode(byte[] value, long cutoff) {
        decode(value, cutoff, false);
    }

    /**
     * Adds the rows of a bucket that another replica counted (from the shared position): rows not known here are added
     * and their bucket is written to this replica's slots at the next commit; a bucket below {@code cutoff} is skipped
     * (its slot here may belong to a live bucket).
     */
    void merge(byte[] value, long cutoff) {
        decode(value, cutoff, true);
    }

    private void decode(byte[] value, long cutoff, boolean shared) {
        if (value == null || value.length < 13 || value[0] != FORMAT) {
            return;
        }
        ByteBuffer buf = ByteBuffer.wrap(value);
        buf.get();
        long bucket = buf.getLong();
        int n = buf.getInt();
        if (value.length < 13 + 12L * n || n < 0) {
            return;
        }
        if (bucket < Math.floorDiv(cutoff, BUCKET_TICKS)) {
            if (!shared) {
                toClear.add(bucket);
            }
            return;
        }
        Bucket b = buckets.computeIfAbsent(bucket, x -> new Bucket());
        for (int i = 0; i < n; i++) {
            int offset = buf.getInt();
            long key = buf.getLong();
            if (key != 0 && find(key) < 0 && offset >= 0 && offset < BUCKET_TICKS) {
                insert(key);
                b.append(offset, key);
                live++;
                b.dirty |= shared;
            }
        }
        if (!shared) {
            stored.add(bucket);
        } else if (b.n == 0) {
            buckets.remove(bucket);
        }
    }

    /**
     * 64-bit content key of a row: the cells read four UTF-16 units at a time through a multiply-rotate mix, cell
     * boundaries marked, then a final avalanche; never 0.
     */
    static long key(String[] cells) {
        long h = 0x9E3779B97F4A7C15L;
        for (String cell : cells) {
            String c = cell == null ? "" : cell;
            int n = c.length();
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                long w = c.charAt(i) | (long) c.charAt(i + 1) << 16 | (long) c.charAt(i + 2) << 32 | (long) c.charAt(i + 3) << 48;
                h = Long.rotateLeft(h ^ (w * 0x87C37B91114253D5L), 31) * 0x4CF5AD432745937FL;
            }
            long w = n;
            for (int shift = 16; i < n; i++, shift += 16) {
                w |= (long) c.charAt(i) << shift;
            }
            h = Long.rotateLeft(h ^ (w * 0x87C37B91114253D5L), 31) * 0x4CF5AD432745937FL;
            h = Long.rotateLeft(h ^ 0x1E, 27) * 0x52DCE729L + 0x38495AB5L; // cell separator: null and "" hash alike
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
