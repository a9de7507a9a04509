package io.github.iothubexporter.logs;

/**
 * A small bounded cache of strings looked up by their characters, so that the few distinct values of
 * low-cardinality fields (operation, level, protocol, hub, SDK string) are not allocated per record.
 * Not thread-safe: one per thread.
 */
final class Interner {
    private static final int SIZE = 1024; // power of two
    private static final int MAX_LENGTH = 256;
    private final String[] table = new String[SIZE];

    String intern(char[] buf, int off, int len) {
        if (len == 0) {
            return "";
        }
        if (len > MAX_LENGTH) {
            return new String(buf, off, len);
        }
        int h = 0;
        for (int i = 0; i < len; i++) {
            h = 31 * h + buf[off + i];
        }
        int slot = (h ^ (h >>> 16)) & (SIZE - 1);
        String s = table[slot];
        if (s != null && s.length() == len) {
            boolean same = true;
            for (int i = 0; i < len; i++) {
                if (s.charAt(i) != buf[off + i]) {
                    same = false;
                    break;
                }
            }
            if (same) {
                return s;
            }
        }
        s = new String(buf, off, len);
        table[slot] = s; // last writer wins: a miss only costs an allocation
        return s;
    }

    String intern(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        if (s.length() > MAX_LENGTH) {
            return s;
        }
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & (SIZE - 1);
        String t = table[slot];
        if (s.equals(t)) {
            return t;
        }
        table[slot] = s;
        return s;
    }
}
