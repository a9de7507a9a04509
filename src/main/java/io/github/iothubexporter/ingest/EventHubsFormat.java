package io.github.iothubexporter.ingest;

/** The body formats the Event Hubs input tells apart: the {@code format} label of its metrics. */
public enum EventHubsFormat {
    /** Event Grid schema events (array or single object), from an Event Grid subscription to Event Hubs. */
    EVENTGRID("eventgrid"),
    /** CloudEvents 1.0 (array or single object), from an Event Grid subscription with the CloudEvents schema. */
    CLOUDEVENTS("cloudevents"),
    /** IoT Hub message routing, data source DeviceConnectionStateEvents. */
    IOTHUB_ROUTING("iothub_routing"),
    /** IoT Hub resource logs from a diagnostic setting: {@code {"records":[...]}}. */
    RESOURCE_LOGS("resource_logs"),
    /** Messages from another IoT Hub routing source (telemetry, twin changes...): skipped. */
    OTHER("other"),
    /** Unrecognisable: dead-lettered. */
    UNKNOWN("unknown");

    private final String label;

    EventHubsFormat(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
