package io.github.iothubexporter.logs;

import java.util.Map;

/**
 * The IoT Hub error codes documented around device connections (shared/reference/iothub-facts.md §5). They
 * are the only values of the {@code code} label; anything else is {@code other}, which bounds the series.
 * The {@code name} label comes from this table, not from the record's free-text {@code resultDescription}.
 */
public final class ErrorCodes {
    public static final String OTHER = "other";

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("400027", "ConnectionForcefullyClosedOnNewConnection"),
            Map.entry("400029", "ConnectionForcefullyClosedOnFaultInjection"),
            Map.entry("400030", "ConnectionRejectedOnFaultInjection"),
            Map.entry("401003", "IoTHubUnauthorized"),
            Map.entry("403002", "IotHubQuotaExceeded"),
            Map.entry("403012", "DeviceDisabled"),
            Map.entry("404001", "DeviceNotFound"),
            Map.entry("404103", "DeviceNotOnline"),
            Map.entry("404104", "DeviceConnectionClosedRemotely"),
            Map.entry("409002", "LinkCreationConflict"),
            Map.entry("429001", "ThrottlingException"),
            Map.entry("429002", "ThrottlingException"),
            Map.entry("429003", "ThrottlingException"),
            Map.entry("429005", "ThrottlingException"),
            Map.entry("500001", "ServerError"),
            Map.entry("500008", "GenericTimeout"),
            Map.entry("503001", "ServiceUnavailable"),
            Map.entry("503005", "ServerBusy"),
            Map.entry("503101", "ConnectionUnavailable"));

    private ErrorCodes() {
    }

    /** The {@code code} label: the code when documented, else {@code other}. */
    public static String code(String resultType) {
        String r = resultType == null ? "" : resultType.strip();
        return NAMES.containsKey(r) ? r : OTHER;
    }

    /** The {@code name} label of a {@link #code} value. */
    public static String name(String code) {
        return NAMES.getOrDefault(code, OTHER);
    }

    public static Map<String, String> documented() {
        return NAMES;
    }
}
