package io.github.iothubexporter.logs;

/**
 * One {@code Connections} resource-log record, normalized, whatever it came from (a Log Analytics row, a
 * {@code {"records":[...]}} body from Event Hubs, the simulator). Strings are never null ("" when absent).
 *
 * @param timeMillis        the record's {@code time} / {@code TimeGenerated}, epoch milliseconds
 * @param hub               IoT hub name from {@code resourceId} / {@code _ResourceId}, lower-case
 * @param deviceId          {@code properties.deviceId}
 * @param moduleId          {@code properties.moduleId}, "" for a device identity
 * @param operation         {@code operationName}: "deviceConnect", "deviceDisconnect" or another raw value
 * @param error             true when {@code level} is {@code Error}
 * @param resultType        the error code as text, e.g. "404104"; "" when none
 * @param resultDescription the error name IoT Hub gives, e.g. "DeviceConnectionClosedRemotely"; "" when none
 * @param sdkVersion        {@code properties.sdkVersion} as sent (see {@link SdkVersions}); "" when absent
 * @param protocol          {@code properties.protocol}, e.g. "Mqtt", "Amqp"; "" when absent
 * @param authType          the {@code type} inside {@code properties.authType} (e.g. "sas", "x509"); "" when null or absent
 */
public record ConnectionLogRecord(long timeMillis, String hub, String deviceId, String moduleId, String operation,
                                  boolean error, String resultType, String resultDescription, String sdkVersion,
                                  String protocol, String authType) {
    public static final String DEVICE_CONNECT = "deviceConnect";
    public static final String DEVICE_DISCONNECT = "deviceDisconnect";
}
