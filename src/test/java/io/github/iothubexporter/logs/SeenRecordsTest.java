package io.github.iothubexporter.logs;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SeenRecordsTest {
    static final long S = Ticks.PER_SECOND;
    static final long T = 1_772_359_200L * S; // 2026-03-01T10:00:00Z

    @Test
    void remembersCountsPersistsAndForgets() {
        SeenRecords seen = new SeenRecords();
        for (int i = 0; i < 300; i++) {
            assertThat(seen.add(1000 + i, T + i * S / 2)).isTrue(); // two rows a second for 150 s
        }
        assertThat(seen.add(1000, T)).isFalse();
        assertThat(seen.contains(1299)).isTrue();
        long[] counts = seen.countBySecond(T + 10 * S, T + 13 * S);
        assertThat(counts).containsExactly(T + 10 * S, 2, T + 11 * S, 2, T + 12 * S, 2);

        Map<Integer, byte[]> writes = seen.drainWrites();
        assertThat(writes).hasSize(15); // 150 s in 10-second buckets
        assertThat(seen.drainWrites()).isEmpty(); // nothing changed since
        seen.add(5000, T + 149 * S);
        assertThat(seen.drainWrites()).containsOnlyKeys(SeenRecords.slotOf((T + 149 * S) / SeenRecords.BUCKET_TICKS));

        // a restart: the stored buckets at or above the cutoff come back
        SeenRecords restored = new SeenRecords();
        writes.values().forEach(v -> restored.decode(v, T + 100 * S));
        assertThat(restored.contains(1000 + 250)).isTrue();  // 125 s
        assertThat(restored.contains(1000 + 10)).isFalse();  // 5 s: below the cutoff
        assertThat(restored.countBySecond(T + 120 * S, T + 121 * S)).containsExactly(T + 120 * S, 2);
        // slots of buckets below the cutoff are emptied at the next write
        assertThat(restored.drainWrites()).hasSize(10).allSatisfy((slot, v) -> assertThat(v).isEmpty());

        // pruning: whole buckets below the cutoff go, their stored slots are emptied
        seen.pruneBelow(T + 65 * S);
        assertThat(seen.contains(1000 + 200)).isTrue();
        assertThat(seen.countBySecond(T, T + 60 * S)).isEmpty();
        Map<Integer, byte[]> after = seen.drainWrites();
        assertThat(after).hasSize(6).allSatisfy((slot, v) -> assertThat(v).isEmpty());
        assertThat(seen.size()).isEqualTo(301 - 120);
    }

    @Test
    void manyRowsAndAReusedSlot() {
        SeenRecords seen = new SeenRecords();
        for (int i = 0; i < 200_000; i++) {
            seen.add(SeenRecords.key(new String[]{"row", Integer.toString(i)}), T + i * 1000L);
        }
        assertThat(seen.size()).isEqualTo(200_000);
        seen.drainWrites();
        long far = T + SeenRecords.SLOTS * SeenRecords.BUCKET_TICKS; // same slot as T's bucket, 64 minutes later
        seen.pruneBelow(far);
        seen.add(7, far);
        Map<Integer, byte[]> w = seen.drainWrites();
        assertThat(w.get(SeenRecords.slotOf(T / SeenRecords.BUCKET_TICKS))).hasSizeGreaterThan(12); // the new bucket, not a clear
        assertThat(seen.size()).isEqualTo(1);
    }

    @Test
    void bucketsCountedByAnotherReplicaAreMergedAndStoredHere() {
        SeenRecords other = new SeenRecords(); // the old leader: 60 s of rows
        for (int i = 0; i < 60; i++) {
            other.add(100 + i, T + i * S);
        }
        java.util.List<byte[]> shared = other.encodeAll();
        assertThat(shared).hasSize(6);

        SeenRecords mine = new SeenRecords(); // the new leader counted two of the same rows itself, and one of its own
        mine.add(100, T);
        mine.add(159, T + 59 * S);
        mine.add(999, T + 59 * S);
        mine.drainWrites();
        shared.forEach(v -> mine.merge(v, T + 20 * S)); // the first two buckets are below the cutoff
        assertThat(mine.contains(100)).as("own row below the cutoff stays").isTrue();
        assertThat(mine.contains(105)).as("shared row below the cutoff").isFalse();
        assertThat(mine.contains(125)).isTrue();
        assertThat(mine.size()).isEqualTo(1 + 40 + 1); // own row at T, 40 shared rows from T+20s, own row 999 (159 was known)
        assertThat(mine.countBySecond(T + 59 * S, T + 60 * S)).containsExactly(T + 59 * S, 2);
        // the merged buckets reach this replica's slots at the next commit; nothing is cleared
        Map<Integer, byte[]> writes = mine.drainWrites();
        assertThat(writes).hasSize(4).allSatisfy((slot, v) -> assertThat(v).isNotEmpty());
        SeenRecords restarted = new SeenRecords();
        writes.values().forEach(v -> restarted.decode(v, T));
        assertThat(restarted.contains(125)).isTrue();
        assertThat(restarted.contains(999)).isTrue();
    }

    @Test
    void keysDifferWithAnyCell() {
        String[] a = {"2026-03-01T10:00:00.1234567Z", "2026-03-01T09:55:00Z", "/x/iothubs/h", "deviceConnect", "Information", "", "", "{}"};
        String[] b = a.clone();
        b[7] = "{ }";
        String[] c = a.clone();
        c[5] = null;
        String[] d = a.clone();
        d[4] = "";
        d[5] = "Information"; // moved between cells
        assertThat(SeenRecords.key(a)).isNotEqualTo(SeenRecords.key(b)).isNotEqualTo(SeenRecords.key(d));
        assertThat(SeenRecords.key(a)).isEqualTo(SeenRecords.key(c)); // null and "" are the same cell value
        assertThat(SeenRecords.key(a)).isEqualTo(SeenRecords.key(a.clone()));
    }
}
