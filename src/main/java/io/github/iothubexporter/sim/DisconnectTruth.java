package io.github.iothubexporter.sim;

/**
 * Why a simulated device really went offline: the ground truth classification is measured against.
 *
 * @param kind            token_renewal, transient or genuine, as the device experienced it
 * @param downMillis      when the device dropped (simulated time)
 * @param upMillis        when it came back (simulated time)
 * @param visible         whether IoT Hub's 60 s snapshots reported it (shorter flaps vanish between snapshots)
 */
public record DisconnectTruth(String hub, String deviceId, String moduleId, String kind, String cause, String sdk,
                              long downMillis, long upMillis, boolean visible) {
}
