package io.github.iothubexporter.logs;

import java.util.HashSet;
import java.util.Set;

/**
 * Bounds the values of one metric label: the first {@code max} distinct (sanitized) values are kept, later
 * ones become {@code other}. Empty values become {@code unknown}. Not thread-safe.
 */
final class LabelCap {
    static final String OTHER = "other";
    static final String UNKNOWN = "unknown";
    private static final int MAX_LENGTH = 64;
    private final int max;
    private final Set<String> admitted = new HashSet<>();

    LabelCap(int max) {
        this.max = max;
    }

    String admit(String raw) {
        if (raw == null || raw.isEmpty()) {
            return UNKNOWN;
        }
        if (admitted.contains(raw)) {
            return raw;
        }
        if (!clean(raw)) {
            return OTHER;
        }
        if (admitted.size() >= max) {
            return OTHER;
        }
        admitted.add(raw);
        return raw;
    }

    /** Short printable ASCII without quotes or backslashes: safe and readable as a label value. */
    static boolean clean(String s) {
        if (s.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
