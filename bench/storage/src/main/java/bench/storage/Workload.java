package bench.storage;

import bench.storage.Model.Event;
import bench.storage.Model.Key;
import bench.storage.Model.State;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Deterministic synthetic workload: identities, initial state and event streams with per-device increasing seqs. */
final class Workload {
    final Key[] identities;
    /** Current (last generated) sequence number per identity. */
    final byte[][] seq;
    private final Random rnd;
    private long clock = 1_700_000_000_000L;

    Workload(int identityCount, long seed) {
        this.rnd = new Random(seed);
        this.identities = new Key[identityCount];
        this.seq = new byte[identityCount][];
        String fmt = identityCount <= 1_000_000 ? "dev-%06d" : "dev-%07d";
        for (int i = 0; i < identityCount; i++) {
            String hub = (i & 1) == 0 ? "hub-a" : "hub-b";
            // roughly one identity in five is a module identity
            String module = i % 5 == 0 ? "mod-" + (i % 3) : "";
            identities[i] = new Key(hub, String.format(fmt, i), module);
            byte[] s = new byte[Codec.SEQ_LEN];
            rnd.nextBytes(s);
            s[0] &= 0x3F; // leave head-room so increments never overflow 256 bits
            seq[i] = s;
        }
    }

    /** Initial state for every identity (used to bulk-load the 1M-identity recovery scenario). */
    Map<Key, State> initialState() {
        Map<Key, State> m = Model.newStateMap(identities.length);
        for (int i = 0; i < identities.length; i++) {
            m.put(identities[i], new State(seq[i].clone(), (i & 1) == 0, clock - 1000));
        }
        return m;
    }

    /** Events touching every identity {@code perIdentity} times, in random order. */
    List<Event> eventsCoveringAll(int perIdentity) {
        int n = identities.length * perIdentity;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i % identities.length;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<Event> out = new ArrayList<>(n);
        for (int idx : order) out.add(next(idx));
        return out;
    }

    /** {@code n} events on uniformly random identities. */
    List<Event> randomEvents(int n) {
        List<Event> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(next(rnd.nextInt(identities.length)));
        return out;
    }

    private Event next(int idx) {
        byte[] s = seq[idx].clone();
        addUnsigned(s, 1 + (rnd.nextLong() >>> 20)); // random positive increment
        seq[idx] = s;
        clock += 1 + rnd.nextInt(20);
        return new Event(identities[idx], s, rnd.nextBoolean(), clock);
    }

    static void addUnsigned(byte[] big, long inc) {
        long carry = inc;
        for (int i = big.length - 1; i >= 0 && carry != 0; i--) {
            long sum = (big[i] & 0xFFL) + (carry & 0xFFL);
            big[i] = (byte) sum;
            carry = (carry >>> 8) + (sum >>> 8);
        }
    }
}
