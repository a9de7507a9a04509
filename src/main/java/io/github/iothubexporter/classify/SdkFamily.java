package io.github.iothubexporter.classify;

/**
 * Device SDK families with their default SAS-token renewal behaviour over MQTT
 * (shared/reference/iothub-facts.md §7): the connection age at which the SDK drops to renew.
 * Stored per device as the ordinal, so the order is part of the snapshot format: append only.
 */
public enum SdkFamily {
    UNKNOWN("unknown", 0),
    DOTNET("dotnet", 70 * 60),      // 60 min token, disconnect at lifetime + 10 min grace
    JAVA("java", 70 * 60),          // same as .NET
    NODE("node", 45 * 60),          // renews at 75 % of 60 min
    PYTHON("python", 58 * 60),      // reconnects 120 s before a 60 min token expires
    C("c", 48 * 60),                // MQTT: refreshes at 80 % of the 60 min token (iothubtransport_mqtt_common.c); AMQP: no disconnect
    EMBEDDED_C("embedded_c", 60 * 60),
    OTHER("other", 0);

    private final String label;
    private final int renewalSeconds;

    SdkFamily(String label, int renewalSeconds) {
        this.label = label;
        this.renewalSeconds = renewalSeconds;
    }

    public String label() {
        return label;
    }

    public int defaultRenewalSeconds() {
        return renewalSeconds;
    }

    private static final SdkFamily[] VALUES = values();

    public static SdkFamily ofOrdinal(int i) {
        return i >= 0 && i < VALUES.length ? VALUES[i] : UNKNOWN;
    }

    public static SdkFamily ofLabel(String label) {
        for (SdkFamily f : VALUES) {
            if (f.label.equals(label)) {
                return f;
            }
        }
        return OTHER;
    }
}
