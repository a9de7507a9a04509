package io.github.iothubexporter.model;

/**
 * IoT Hub's connection-state sequence number: 64 hex digits, compared as an unsigned 256-bit number.
 * Held as four longs (most significant first) so ordering costs no BigInteger per event.
 */
public record SequenceNumber(long w0, long w1, long w2, long w3) implements Comparable<SequenceNumber> {

    public static final int HEX_DIGITS = 64;

    /** Parses exactly 64 hex digits (either case); returns null for anything else. */
    public static SequenceNumber parseOrNull(CharSequence s) {
        if (s == null || s.length() != HEX_DIGITS) {
            return null;
        }
        char[] buf = new char[HEX_DIGITS];
        for (int i = 0; i < HEX_DIGITS; i++) {
            buf[i] = s.charAt(i);
        }
        return parseOrNull(buf, 0, HEX_DIGITS);
    }

    /** Parses from a char buffer (Jackson's text buffer) without creating a String. */
    public static SequenceNumber parseOrNull(char[] buf, int off, int len) {
        if (len != HEX_DIGITS) {
            return null;
        }
        long w0 = 0, w1 = 0, w2 = 0, w3 = 0;
        for (int i = 0; i < 16; i++) {
            int a = hex(buf[off + i]), b = hex(buf[off + 16 + i]), c = hex(buf[off + 32 + i]), d = hex(buf[off + 48 + i]);
            if ((a | b | c | d) < 0) {
                return null;
            }
            w0 = (w0 << 4) | a;
            w1 = (w1 << 4) | b;
            w2 = (w2 << 4) | c;
            w3 = (w3 << 4) | d;
        }
        return new SequenceNumber(w0, w1, w2, w3);
    }

    private static final byte[] HEX_VALUE = new byte[128];

    static {
        java.util.Arrays.fill(HEX_VALUE, (byte) -1);
        for (int i = 0; i < 10; i++) {
            HEX_VALUE['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            HEX_VALUE['A' + i] = (byte) (10 + i);
            HEX_VALUE['a' + i] = (byte) (10 + i);
        }
    }

    private static int hex(char c) {
        return c < 128 ? HEX_VALUE[c] : -1;
    }

    @Override
    public int compareTo(SequenceNumber o) {
        return compare(w0, w1, w2, w3, o.w0, o.w1, o.w2, o.w3);
    }

    /** Unsigned comparison of two 256-bit numbers given as most-significant-first words. */
    public static int compare(long a0, long a1, long a2, long a3, long b0, long b1, long b2, long b3) {
        if (a0 != b0) {
            return Long.compareUnsigned(a0, b0);
        }
        if (a1 != b1) {
            return Long.compareUnsigned(a1, b1);
        }
        if (a2 != b2) {
            return Long.compareUnsigned(a2, b2);
        }
        return Long.compareUnsigned(a3, b3);
    }

    /** Upper-case 64-digit form, as IoT Hub writes it. */
    public String toHex() {
        return String.format("%016X%016X%016X%016X", w0, w1, w2, w3);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
