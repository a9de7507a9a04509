package io.github.iothubexporter.config;

/** The {@code eventhubs.*} keys. {@link #configured()} is true when a connection string or namespace is set. */
public record EventHubsConfig(String connectionString, String namespace, String eventHubName, String consumerGroup,
                              String checkpointType, String blobConnectionString, String blobContainer,
                              String startPosition) {
    public boolean configured() {
        return connectionString != null || namespace != null;
    }

    @Override
    public String toString() {
        return configured() ? "eventhubs[" + (namespace != null ? namespace + "/" + eventHubName : "connection string")
                + ", group=" + consumerGroup + ", checkpoints=" + checkpointType + "]" : "eventhubs[off]";
    }
}
