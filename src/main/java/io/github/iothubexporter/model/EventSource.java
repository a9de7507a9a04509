package io.github.iothubexporter.model;

/** Where an event entered the service; the {@code source} label of the metrics. */
public enum EventSource {
    WEBHOOK("webhook"),
    EVENTHUBS("eventhubs"),
    SIMULATOR("simulator");

    private final String label;

    EventSource(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    private static final EventSource[] VALUES = values();

    public static EventSource ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
