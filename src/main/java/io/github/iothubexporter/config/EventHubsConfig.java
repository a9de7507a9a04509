package io.github.iothubexporter.config;

import java.time.Duration;

/**
 * The {@code eventhubs.*} keys. {@link #configured()} is true when a connection string or namespace is set.
 *
 * @param loadBalancingStrategy {@code auto}, {@code balanced} or {@code greedy}
 * @param startPosition         {@code earliest} or {@code latest}
 */
public record EventHubsConfig(String connectionString, String namespace, String eventHubName, String consumerGroup,
                              String checkpointType, String blobConnectionString, String blobContainer,
                              String startPosition, String loadBalancingStrategy, Duration loadBalancingInterval,
                              Duration ownershipExpiration, int maxBatchSize, Duration maxWaitTime, int prefetchCount) {
    public boolean configured() {
        return connectionString != null || namespace != null;
    }

    /** {@code auto}: greedy for one instance (file checkpoints), balanced for replicas (blob checkpoints). */
    public boolean greedy() {
        return "greedy".equals(loadBalancingStrategy) || ("auto".equals(loadBalancingStrategy) && !blobCheckpoints());
    }

    public boolean blobCheckpoints() {
        return "blob".equals(checkpointType);
    }

    /** The event hub's name: {@code eventhubs.eventHubName}, else the connection string's {@code EntityPath}. */
    public String resolvedEventHubName() {
        if (eventHubName != null) {
            return eventHubName;
        }
        return connectionString == null ? null : entityPath(connectionString);
    }

    /** The {@code EntityPath} of a connection string, or null. */
    public static String entityPath(String connectionString) {
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase("EntityPath")) {
                String v = part.substring(eq + 1).trim();
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return configured() ? "eventhubs[" + (namespace != null ? namespace + "/" + eventHubName : "connection string")
                + ", group=" + consumerGroup + ", checkpoints=" + checkpointType + "]" : "eventhubs[off]";
    }
}
