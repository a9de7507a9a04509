package bench.storage;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Data model shared by every candidate: identity key, per-identity state, events and checkpoints. */
final class Model {
    private Model() {}

    /** Identity of one device or module. moduleId is "" when absent. */
    record Key(String hub, String deviceId, String moduleId) {}

    /** Connection state of one identity. seq is a 256-bit big-endian unsigned number (32 bytes). */
    record State(byte[] seq, boolean connected, long eventTime) {}

    /** One connectivity event from a webhook batch. */
    record Event(Key key, byte[] seq, boolean connected, long eventTime) {}

    /** Event Hubs checkpoint stored atomically with the state changes of a batch. */
    record Checkpoint(String partitionId, long offset, long sequenceNumber) {}

    /** What a recovery produced. */
    record Recovered(Map<Key, State> state, Map<String, Checkpoint> checkpoints) {}

    static Map<Key, State> newStateMap(int expected) {
        return new HashMap<>((int) (expected / 0.75f) + 16);
    }

    static boolean newer(byte[] candidate, byte[] current) {
        return Arrays.compareUnsigned(candidate, current) > 0;
    }

    /** Order-independent digest of a state table, used to verify that recovery reproduces the writer's table. */
    static long digest(Map<Key, State> state) {
        long sum = 0;
        for (Map.Entry<Key, State> e : state.entrySet()) {
            Key k = e.getKey();
            State s = e.getValue();
            long h = k.hub().hashCode();
            h = h * 1_000_003L + k.deviceId().hashCode();
            h = h * 1_000_003L + k.moduleId().hashCode();
            h = h * 1_000_003L + Arrays.hashCode(s.seq());
            h = h * 1_000_003L + (s.connected() ? 1 : 2);
            h = h * 1_000_003L + s.eventTime();
            sum += mix(h);
        }
        return sum ^ state.size();
    }

    static long digestCheckpoints(Map<String, Checkpoint> cps) {
        long sum = 0;
        for (Checkpoint c : cps.values()) {
            sum += mix(c.partitionId().hashCode() * 31L + c.offset() * 17L + c.sequenceNumber());
        }
        return sum;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
