package io.github.iothubexporter.ingest;

import io.github.iothubexporter.model.ConnectionEvent;

import java.util.List;

/**
 * What one body held.
 *
 * @param events         valid connection-state events, in body order
 * @param rejections     elements that could not be used, with reasons
 * @param skipped        well-formed events of other types (other IoT Hub events, subscription deletion)
 * @param validationCode the code of a SubscriptionValidationEvent, or null
 */
public record ParsedBatch(List<ConnectionEvent> events, List<Rejection> rejections, int skipped,
                          String validationCode) {

    public int total() {
        return events.size() + rejections.size() + skipped + (validationCode != null ? 1 : 0);
    }
}
