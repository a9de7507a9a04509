package io.github.iothubexporter.sim;

/**
 * Why a simulated device really went offline: the ground truth classification is measured against. The outage
 * runs from {@code downMillis} to {@code upMillis}, the times IoT Hub sees, since that is all its events and logs
 * can tell; the device's own times are kept next to them.
 *
 * @param kind            token_renewal, transient or genuine, for the outage IoT Hub saw
 * @param cause           why: token_renewal, outage, network_flap, keepalive_timeout, duplicate_identity, regional_outage
 * @param lastHeardMillis when the hub last heard from the device: earlier than {@code downMillis} when the device
 *                        went silent and the hub only noticed at its keep-alive timeout (1.5 × the client's keep-alive)
 * @param downMillis      when IoT Hub saw the connection end (simulated time)
 * @param linkUpMillis    when the device opened the connection that ended the outage: earlier than {@code upMillis}
 *                        when IoT Hub reported it only after the device's first message (.NET and C)
 * @param upMillis        when the outage ended for IoT Hub: the logged reconnect ({@code linkUpMillis}) when the
 *                        device was active on that connection within one 60 s snapshot of it; otherwise (a .NET or
 *                        C device that sends rarely: IoT Hub reports its connection only from its first message)
 *                        the snapshot that reported it, since until then its connection state, events and twin all
 *                        said disconnected
 * @param visible         whether IoT Hub's 60 s snapshots reported it (shorter flaps vanish between snapshots)
 */
public record DisconnectTruth(String hub, String deviceId, String moduleId, String kind, String cause, String sdk,
                              long lastHeardMillis, long downMillis, long linkUpMillis, long upMillis, boolean visible) {
}
