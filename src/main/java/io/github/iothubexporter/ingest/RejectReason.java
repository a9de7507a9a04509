package io.github.iothubexporter.ingest;

/** The bounded set of {@code reason} label values of {@code iothub_events_rejected_total}. */
public enum RejectReason {
    MALFORMED_JSON("malformed_json"),
    INVALID_BODY("invalid_body"),
    INVALID_EVENT("invalid_event"),
    INVALID_SEQUENCE_NUMBER("invalid_sequence_number"),
    INVALID_EVENT_TIME("invalid_event_time"),
    INVALID_DEVICE_ID("invalid_device_id"),
    INVALID_HUB("invalid_hub"),
    TOO_MANY_HUBS("too_many_hubs"),
    TOO_LARGE("too_large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type"),
    UNAUTHORIZED("unauthorized"),
    OVERLOADED("overloaded");

    private final String label;

    RejectReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
