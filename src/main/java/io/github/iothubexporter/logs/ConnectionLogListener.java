package io.github.iothubexporter.logs;

import java.util.List;

/**
 * Receives Connections records, in batches, from every record source. Called on the source's own thread
 * (the Log Analytics poller, an Event Hubs partition, the simulator): implementations must be thread-safe
 * and must not block for long.
 */
public interface ConnectionLogListener {
    /** @param source "loganalytics", "eventhubs" or "simulator" */
    void onRecords(List<ConnectionLogRecord> records, String source);
}
