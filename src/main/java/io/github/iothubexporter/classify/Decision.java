package io.github.iothubexporter.classify;

/**
 * One classified disconnect.
 *
 * @param disconnectMillis event time of the disconnect
 * @param reconnectMillis  event time of the reconnect, or -1 when the decision came from the grace window running out
 * @param ageSeconds       connection age at the disconnect, or -1 when unknown
 * @param sdkVersion       the device's SDK version as labelled on metrics ("" when unknown)
 * @param live             false while the journal is being replayed
 */
public record Decision(String hub, String deviceId, String moduleId, DisconnectKind kind, long disconnectMillis,
                       long reconnectMillis, int ageSeconds, SdkFamily sdk, String sdkVersion, boolean live) {

    public Decision(String hub, String deviceId, String moduleId, DisconnectKind kind, long disconnectMillis,
                    long reconnectMillis, int ageSeconds, SdkFamily sdk, boolean live) {
        this(hub, deviceId, moduleId, kind, disconnectMillis, reconnectMillis, ageSeconds, sdk, "", live);
    }
}
