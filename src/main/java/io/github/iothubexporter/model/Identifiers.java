package io.github.iothubexporter.model;

/** Validation rules for the identifiers IoT Hub puts in connection events. */
public final class Identifiers {
    /** IoT Hub allows device and module IDs of at most 128 characters. */
    public static final int MAX_ID_LENGTH = 128;
    /** Azure resource names for IoT hubs are 3 to 50 characters; leave room for variants. */
    public static final int MAX_HUB_LENGTH = 63;

    private Identifiers() {
    }

    /**
     * Device and module IDs are 7-bit ASCII without spaces, control characters or '/'
     * (IoT Hub's allowed set is a subset of this). Returns a problem description or null when valid.
     */
    public static String checkId(String what, CharSequence id, boolean mayBeEmpty) {
        int n = id.length();
        if (n == 0) {
            return mayBeEmpty ? null : what + " is empty";
        }
        if (n > MAX_ID_LENGTH) {
            return what + " is " + n + " characters long; IoT Hub allows at most " + MAX_ID_LENGTH;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '/') {
                return what + " contains a character IoT Hub does not allow at position " + i;
            }
        }
        return null;
    }

    /** Hub names: letters, digits and hyphens. Returns a problem description or null when valid. */
    public static String checkHub(CharSequence hub) {
        int n = hub.length();
        if (n == 0 || n > MAX_HUB_LENGTH) {
            return "hub name must be 1 to " + MAX_HUB_LENGTH + " characters";
        }
        for (int i = 0; i < n; i++) {
            char c = hub.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                return "hub name may contain only letters, digits and hyphens";
            }
        }
        return null;
    }
}
