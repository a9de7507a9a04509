package io.github.iothubexporter.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes realistic Event Grid schema batches (a JSON array of Microsoft.Devices.DeviceConnected /
 * DeviceDisconnected events, shaped like reference/iothub-facts.md §1.1) straight into bytes, for the
 * benchmarks and the HTTP load generator. Not thread-safe: one instance per thread.
 *
 * <p>Identity {@code i} (0-based) is device {@code meter-%07d} on hub {@code i % hubs}; every tenth identity
 * ({@code i % 10 == 3}) is a module identity, and {@code i % 10 == 7} sends {@code "moduleId":""} as seen in
 * some samples; the others omit moduleId. The sequence number of an event is
 * {@code 01D4132452F67CE2 · round · 0000000200000000 · i} (four 16-digit words), so a higher round always
 * wins, and {@link #patchRound} rewrites only the round word in place. The event type flips with the round
 * parity, so successive rounds really change state.
 */
public final class EventGridBodies {
    public static final String[] HUBS = {"contoso-iot-weu", "contoso-iot-neu", "contoso-iot-eus"};
    public static final String MODULE = "telemetry-agent";
    /** Offset of the round word inside a 64-digit sequence number. */
    public static final int ROUND_DIGITS_OFFSET = 16;

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX_LOWER = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] P_ID = ascii("{\"id\":\"");
    private static final byte[] P_TOPIC = ascii("\",\"topic\":\"/SUBSCRIPTIONS/5F3C2A71-0B9E-4D38-A6C1-9E27B4D0F813"
            + "/RESOURCEGROUPS/RG-IOT-PROD/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/");
    private static final byte[] P_SUBJECT = ascii("\",\"subject\":\"devices/");
    private static final byte[] P_TYPE_CONNECTED = ascii("\",\"eventType\":\"Microsoft.Devices.DeviceConnected\",\"eventTime\":\"");
    private static final byte[] P_TYPE_DISCONNECTED = ascii("\",\"eventType\":\"Microsoft.Devices.DeviceDisconnected\",\"eventTime\":\"");
    private static final byte[] P_DATE = ascii("2025-03-14T09:");
    private static final byte[] P_SEQ = ascii("Z\",\"data\":{\"deviceConnectionStateEventInfo\":{\"sequenceNumber\":\"");
    private static final byte[] P_HUBNAME = ascii("\"},\"hubName\":\"");
    private static final byte[] P_DEVICE = ascii("\",\"deviceId\":\"");
    private static final byte[] P_MODULE = ascii("\",\"moduleId\":\"");
    private static final byte[] P_END = ascii("\"},\"dataVersion\":\"1\",\"metadataVersion\":\"1\"}");
    private static final byte[] SEQ_W0 = ascii("01D4132452F67CE2");
    private static final byte[] SEQ_W2 = ascii("0000000200000000");
    private static final byte[] MODULE_BYTES = ascii(MODULE);

    private final int hubs;
    private final byte[][] hubLower;
    private final byte[][] hubUpper;
    private byte[] buf = new byte[64 * 1024];
    private int pos;

    public EventGridBodies(int hubs) {
        if (hubs < 1 || hubs > HUBS.length) {
            throw new IllegalArgumentException("hubs must be 1.." + HUBS.length);
        }
        this.hubs = hubs;
        hubLower = new byte[hubs][];
        hubUpper = new byte[hubs][];
        for (int h = 0; h < hubs; h++) {
            hubLower[h] = ascii(HUBS[h]);
            hubUpper[h] = ascii(HUBS[h].toUpperCase(java.util.Locale.ROOT));
        }
    }

    public static String deviceId(long identity) {
        return String.format("meter-%07d", identity);
    }

    /** "" for a device identity. */
    public static String moduleId(long identity) {
        return identity % 10 == 3 ? MODULE : "";
    }

    public static boolean connected(long identity, long round) {
        return ((identity + round) & 1) == 0;
    }

    /**
     * Writes one batch of {@code count} events for identities {@code first, first+1, …} (mod
     * {@code identities}) at {@code round}. {@code seqOffsets}, if not null, receives the byte offset of each
     * event's sequence number. Returns the body's length; the bytes are in {@link #buffer()}.
     */
    public int batch(long first, int count, long identities, long round, int[] seqOffsets) {
        pos = 0;
        put((byte) '[');
        for (int k = 0; k < count; k++) {
            if (k > 0) {
                put((byte) ',');
            }
            long i = (first + k) % identities;
            int hub = (int) (i % hubs);
            put(P_ID);
            uuid(mix(i * 0x9E3779B97F4A7C15L + round), mix(i ^ (round << 40) ^ 0x5DEECE66DL));
            put(P_TOPIC);
            put(hubUpper[hub]);
            put(P_SUBJECT);
            device(i);
            put(connected(i, round) ? P_TYPE_CONNECTED : P_TYPE_DISCONNECTED);
            put(P_DATE);
            // mm:ss.fffffff, varying with the identity and round
            long t = (i * 7_919_003L + round * 104_729_011L) % 36_000_000_000L; // 100 ns ticks within an hour
            dec(t / 600_000_000L, 2);
            put((byte) ':');
            dec(t / 10_000_000L % 60, 2);
            put((byte) '.');
            dec(t % 10_000_000L, 7);
            put(P_SEQ);
            if (seqOffsets != null) {
                seqOffsets[k] = pos;
            }
            put(SEQ_W0);
            hex(round, 16, HEX);
            put(SEQ_W2);
            hex(i, 16, HEX);
            put(P_HUBNAME);
            put(hubLower[hub]);
            put(P_DEVICE);
            device(i);
            if (i % 10 == 3) {
                put(P_MODULE);
                put(MODULE_BYTES);
            } else if (i % 10 == 7) {
                put(P_MODULE);
            }
            put(P_END);
        }
        put((byte) ']');
        return pos;
    }

    public byte[] buffer() {
        return buf;
    }

    /** A copy of the last batch. */
    public byte[] copy() {
        return Arrays.copyOf(buf, pos);
    }

    /** Rewrites the round word of every sequence number of a batch written by {@link #batch}. */
    public static void patchRound(byte[] body, int[] seqOffsets, int count, long round) {
        byte[] digits = new byte[16];
        long v = round;
        for (int d = 15; d >= 0; d--) {
            digits[d] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        for (int k = 0; k < count; k++) {
            System.arraycopy(digits, 0, body, seqOffsets[k] + ROUND_DIGITS_OFFSET, 16);
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    private void device(long i) {
        put(DEVICE_PREFIX);
        dec(i, 7);
    }

    private static final byte[] DEVICE_PREFIX = ascii("meter-");

    private void uuid(long a, long b) {
        hex(a >>> 32, 8, HEX_LOWER);
        put((byte) '-');
        hex(a >>> 16, 4, HEX_LOWER);
        put((byte) '-');
        hex(a, 4, HEX_LOWER);
        put((byte) '-');
        hex(b >>> 48, 4, HEX_LOWER);
        put((byte) '-');
        hex(b, 12, HEX_LOWER);
    }

    private void hex(long v, int digits, byte[] alphabet) {
        ensure(digits);
        for (int d = digits - 1; d >= 0; d--) {
            buf[pos + d] = alphabet[(int) (v & 0xf)];
            v >>>= 4;
        }
        pos += digits;
    }

    private void dec(long v, int digits) {
        ensure(digits);
        for (int d = digits - 1; d >= 0; d--) {
            buf[pos + d] = (byte) ('0' + v % 10);
            v /= 10;
        }
        pos += digits;
    }

    private void put(byte b) {
        ensure(1);
        buf[pos++] = b;
    }

    private void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
