package io.github.iothubexporter.model;

/**
 * One normalized device connection-state event, whatever format it arrived in.
 *
 * @param hub             IoT Hub name, lower-case
 * @param deviceId        device ID as sent (case-sensitive, printable ASCII, at most 128 characters)
 * @param moduleId        module ID, or "" for a device identity (missing and "" mean the same)
 * @param connected       true for DeviceConnected, false for DeviceDisconnected
 * @param sequenceNumber  IoT Hub's ordering key; the highest one wins
 * @param eventTimeMillis the event's time (IoT Hub's snapshot time), epoch milliseconds
 */
public record ConnectionEvent(String hub, String deviceId, String moduleId, boolean connected,
                              SequenceNumber sequenceNumber, long eventTimeMillis) {

    /** The {@code device} label of per-device metrics: the device ID, or deviceId/moduleId for a module. */
    public String deviceLabel() {
        return moduleId.isEmpty() ? deviceId : deviceId + "/" + moduleId;
    }
}
