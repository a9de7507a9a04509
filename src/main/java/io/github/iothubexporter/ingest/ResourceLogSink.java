package io.github.iothubexporter.ingest;

/**
 * Receives IoT Hub resource-log bodies ({@code {"records":[...]}}, streamed to Event Hubs by a diagnostic
 * setting) found by the Event Hubs input. The Connections records feed the same path as Log Analytics rows.
 * Called on the Event Hubs processor's threads, one partition at a time per partition; the partition's
 * checkpoint advances past the message once this returns, so an implementation that needs durability must
 * make the records durable before returning (or accept the loss on a crash).
 */
public interface ResourceLogSink {
    /**
     * @param body         the message body, UTF-8 JSON {@code {"records":[...]}}
     * @param partition    the Event Hubs partition the message came from
     * @param offsetOrSeq  the message's Event Hubs sequence number in that partition
     */
    void accept(byte[] body, String partition, long offsetOrSeq);
}
