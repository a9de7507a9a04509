package io.github.iothubexporter.state;

/**
 * Something a Connections log record tells about one identity, reduced to what classification uses.
 * Applied through the state writer (journaled, so a replay sees the same facts in the same order).
 *
 * @param hub        lower-case hub name
 * @param moduleId   "" for a device identity
 * @param operation  {@link #CONNECT}, {@link #DISCONNECT} or {@link #OTHER}
 * @param code       the record's numeric ResultType (e.g. 401003), 0 when none
 * @param sdkFamily  ordinal of the SDK family parsed from sdkVersion, 0 when unknown
 * @param sdkVersion the SDK's version ("" when unknown)
 */
public record DeviceFact(String hub, String deviceId, String moduleId, long timeMillis, int operation, boolean error,
                         int code, int sdkFamily, String sdkVersion) {
    public static final int OTHER = 0;
    public static final int CONNECT = 1;
    public static final int DISCONNECT = 2;
}
