package bench.storage;

import bench.storage.Model.Checkpoint;
import bench.storage.Model.Key;
import bench.storage.Model.State;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Compact binary encoding used by the journal, the snapshot, the raw-fsync baseline and the RocksDB keys/values.
 * Strings are ASCII with a one-byte length (device ids are at most 128 chars).
 */
final class Codec {
    private Codec() {}

    static final int SEQ_LEN = 32;
    static final int VALUE_LEN = SEQ_LEN + 1 + 8;
    /** Upper bound of an encoded state record: 3 strings of up to 255 bytes + value. */
    static final int MAX_RECORD = 3 * 256 + VALUE_LEN;

    static void putString(ByteBuffer b, String s) {
        int n = s.length();
        if (n > 255) throw new IllegalArgumentException("string too long: " + n);
        b.put((byte) n);
        for (int i = 0; i < n; i++) b.put((byte) s.charAt(i));
    }

    static String getString(ByteBuffer b) {
        int n = b.get() & 0xFF;
        if (n == 0) return "";
        byte[] tmp = new byte[n];
        b.get(tmp);
        return new String(tmp, StandardCharsets.ISO_8859_1);
    }

    /** Hubs are few; sharing the String instance keeps recovered tables small. */
    static String internHub(String hub) {
        return switch (hub) {
            case "hub-a" -> "hub-a";
            case "hub-b" -> "hub-b";
            default -> hub;
        };
    }

    static void putKey(ByteBuffer b, Key k) {
        putString(b, k.hub());
        putString(b, k.deviceId());
        putString(b, k.moduleId());
    }

    static Key getKey(ByteBuffer b) {
        String hub = internHub(getString(b));
        String dev = getString(b);
        String mod = getString(b);
        return new Key(hub, dev, mod);
    }

    static void putValue(ByteBuffer b, byte[] seq, boolean connected, long eventTime) {
        b.put(seq, 0, SEQ_LEN);
        b.put((byte) (connected ? 1 : 0));
        b.putLong(eventTime);
    }

    static State getValue(ByteBuffer b) {
        byte[] seq = new byte[SEQ_LEN];
        b.get(seq);
        boolean connected = b.get() != 0;
        long t = b.getLong();
        return new State(seq, connected, t);
    }

    static void putCheckpoint(ByteBuffer b, Checkpoint c) {
        putString(b, c.partitionId());
        b.putLong(c.offset());
        b.putLong(c.sequenceNumber());
    }

    static Checkpoint getCheckpoint(ByteBuffer b) {
        String p = getString(b);
        return new Checkpoint(p, b.getLong(), b.getLong());
    }

    static byte[] keyBytes(Key k) {
        ByteBuffer b = ByteBuffer.allocate(3 + k.hub().length() + k.deviceId().length() + k.moduleId().length());
        putKey(b, k);
        return b.array();
    }

    static byte[] valueBytes(byte[] seq, boolean connected, long eventTime) {
        ByteBuffer b = ByteBuffer.allocate(VALUE_LEN);
        putValue(b, seq, connected, eventTime);
        return b.array();
    }

    static String hex(byte[] seq) {
        StringBuilder sb = new StringBuilder(seq.length * 2);
        for (byte x : seq) sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        return sb.toString();
    }
}
