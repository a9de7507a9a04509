package io.github.iothubexporter.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every configuration key the service knows, with its default and meaning. The single source for
 * validation, environment-variable names and docs/configuration.md (a test keeps them in step).
 */
public final class ConfigKeys {
    /** One key: {@code secret} values are never logged. */
    public record Key(String path, String defaultValue, String description, boolean secret) {
        public String envName() {
            return "IOTHUB_EXPORTER_" + path.toUpperCase(Locale.ROOT).replace('.', '_');
        }
    }

    public static final Map<String, Key> ALL = new LinkedHashMap<>();

    private static void key(String path, String def, String description) {
        ALL.put(path, new Key(path, def, description, false));
    }

    private static void secret(String path, String description) {
        ALL.put(path, new Key(path, null, description, true));
    }

    static {
        key("server.host", "0.0.0.0", "Address the HTTP server binds to.");
        key("server.port", "9786", "HTTP port for /metrics, /api/eventgrid, /grafana and the landing page.");
        secret("webhook.secret", "Shared secret for POST /api/eventgrid, sent as query parameter `code` or header "
                + "`X-Webhook-Key`. Unset = open endpoint.");
        key("webhook.maxBodyBytes", "1MiB", "Largest accepted webhook body; larger ones get 413.");
        secret("grafana.token", "Bearer token required on /grafana when set.");
        key("state.dir", "./data", "Directory of the durable state (snapshot, journal, dead letters).");
        key("state.fsync", "batch", "`batch`: fsync each group of batches before acknowledging it (durable); "
                + "`off`: leave flushing to the OS (faster, loses the last seconds on power loss).");
        key("state.snapshotInterval", "5m", "How often a snapshot is written when the journal has grown.");
        key("state.snapshotJournalBytes", "64MiB", "Journal size that triggers a snapshot early.");
        key("state.maxHubs", "100", "Most distinct hubs tracked (the hub is a metric label); events for more are rejected.");
        key("state.queueCapacity", "4096", "Batches waiting for the state writer before inputs get 503.");
        key("state.deadLetterMaxBytes", "64MiB", "Size at which the dead-letter file rotates (one old file kept).");
        key("critical.devices", null, "Comma-separated device IDs or globs (`device`, `device/module`, `hub/device`) "
                + "that get per-device series.");
        key("critical.maxDevices", "1000", "Upper bound on critical identities, to bound series cardinality.");
        key("classification.reconnectGrace", "180s", "A disconnect not followed by a connect within this window is genuine.");
        key("simulator.enabled", "auto", "`auto`: on when no Event Hubs, Log Analytics or webhook secret is configured; "
                + "`true`/`false` force it.");
        key("simulator.devices", "1000", "Simulated fleet size.");
        key("simulator.hubs", "2", "Number of simulated hubs (1 to 3).");
        key("simulator.speed", "1", "Simulated seconds per real second.");
        key("simulator.seed", "42", "Random seed; the same seed gives the same stream.");
        secret("eventhubs.connectionString", "Event Hubs connection string with `EntityPath`.");
        key("eventhubs.namespace", null, "Fully qualified Event Hubs namespace, with Azure AD (instead of a connection string).");
        key("eventhubs.eventHubName", null, "Event hub name, with `eventhubs.namespace`.");
        key("eventhubs.consumerGroup", "$Default", "Consumer group.");
        key("eventhubs.checkpoint.type", "file", "`file` (under state.dir) or `blob`.");
        secret("eventhubs.checkpoint.blobConnectionString", "Storage connection string for the blob checkpoint store.");
        key("eventhubs.checkpoint.container", null, "Blob container for checkpoints.");
        key("eventhubs.startPosition", "earliest", "Where to start without a checkpoint: `earliest` or `latest`.");
        key("eventhubs.loadBalancingStrategy", "auto", "How instances share partitions: `balanced` (claim one "
                + "partition per load-balancing cycle), `greedy` (claim the fair share at once), or `auto`: greedy with file "
                + "checkpoints (one instance), balanced with blob checkpoints (replicas).");
        key("eventhubs.loadBalancingInterval", "10s", "How often each instance checks partition ownership and rebalances.");
        key("eventhubs.ownershipExpiration", "60s", "A partition whose owner has not renewed its claim for this long "
                + "is taken over by another instance. Must exceed eventhubs.loadBalancingInterval.");
        key("eventhubs.maxBatchSize", "500", "Most messages per processed batch (one durable state commit and one checkpoint each).");
        key("eventhubs.maxWaitTime", "1s", "Longest wait to fill a batch before processing what has arrived.");
        key("eventhubs.prefetchCount", "1000", "Messages the client buffers per partition (1 to 8000).");
        key("loganalytics.workspaceId", null, "Log Analytics workspace to poll for Connections logs.");
        key("loganalytics.endpoint", "https://api.loganalytics.io/v1", "Query endpoint (sovereign clouds).");
        key("loganalytics.interval", "60s", "Poll interval.");
    }

    private ConfigKeys() {
    }
}
