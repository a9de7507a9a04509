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
        key("grafana.maxBodyBytes", "1MiB", "Largest accepted request body on /grafana; larger ones get 413.");
        key("state.dir", "./data", "Directory of the durable state (snapshot, journal, dead letters). While the simulator "
                + "runs, its state lives in the `simulator` folder under it, so simulated devices never mix with real ones.");
        key("state.fsync", "batch", "`batch`: fsync each group of batches before acknowledging it (durable); "
                + "`off`: leave flushing to the OS (faster, loses the last seconds on power loss).");
        key("state.snapshotInterval", "5m", "How often a snapshot is written when the journal has grown.");
        key("state.snapshotJournalBytes", "64MiB", "Journal size that triggers a snapshot early.");
        key("state.maxHubs", "100", "Most distinct hubs tracked (the hub is a metric label); events for more are rejected.");
        key("state.queueCapacity", "4096", "Batches waiting for the state writer before inputs get 503.");
        key("state.deadLetterMaxBytes", "64MiB", "Size at which the dead-letter file rotates (one old file kept).");
        key("state.maxSdkDevices", "1000000", "Most device identities whose latest SDK is remembered for `iothub_devices_by_sdk` "
                + "(about 32 bytes each, saved to `<state.dir>/logs-sdk.bin`); further identities are not added.");
        key("critical.devices", null, "Comma-separated device IDs or globs (`device`, `device/module`, `hub/device`) "
                + "that get per-device series.");
        key("critical.maxDevices", "1000", "Upper bound on critical identities, to bound series cardinality.");
        key("classification.reconnectGrace", "180s", "A disconnect not followed by a connect within this window is genuine.");
        key("classification.lateness", "4s", "How late (behind the newest event time, or the clock when caught up) "
                + "an event may arrive and still count before a genuine outage is decided.");
        key("classification.logWait", "auto", "How long (event time) a reconnect within the grace window waits for its "
                + "Connections log records (401003, 404104, clean close) before it is classified. A reconnect observed "
                + "within one 60 s snapshot of the grace window waits three times as long (only the records' own times "
                + "tell whether such an outage outlasted the window). `auto`: 10m when Log Analytics or the simulator "
                + "supplies logs, else 0 (decide at once from timing).");
        key("classification.renewalPeriods", "dotnet=70m,java=70m,node=45m,python=58m,c=48m,embedded_c=60m",
                "Connection age at which each SDK family drops to renew its SAS token with default settings "
                + "(`family=duration`, comma-separated; `0` = never disconnects to renew). Families: dotnet, java, node, "
                + "python, c, embedded_c.");
        key("classification.renewalTolerance", "150s", "How far a connection's age may be from a token-renewal period "
                + "and still match it (connection-state events are 60 s snapshots).");
        key("simulator.enabled", "auto", "`auto`: on when no Event Hubs, Log Analytics or webhook secret is configured; "
                + "`true`/`false` force it.");
        key("simulator.devices", "1000", "Simulated fleet size.");
        key("simulator.hubs", "2", "Number of simulated hubs (1 to 3).");
        key("simulator.speed", "1", "Simulated seconds per real second.");
        key("simulator.seed", "42", "Random seed; the same seed gives the same stream.");
        key("simulator.truthFile", null, "File the simulator appends its ground truth to: one JSON line per disconnect "
                + "(hub, device, kind, cause, SDK, down/up times), to check the classifier, dashboards or alerts against "
                + "what really happened. Unset = not written.");
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
        key("loganalytics.interval", "60s", "Poll interval (1s to 1h).");
        key("loganalytics.hubs", null, "Comma-separated IoT hub names to poll; unset = every hub that sends Connections logs to the "
                + "workspace.");
        key("loganalytics.overlap", "5m", "How far below the ingestion-time watermark each poll looks for records that became "
                + "queryable late (1s to 60m); records already counted there are recognized and skipped.");
        key("loganalytics.maxRows", "5000", "Rows per query page (500 to 500000); a window with more is read in several pages.");
        key("loganalytics.queryTimeout", "120s", "Server timeout of each query (`Prefer: wait`, 1s to 10m); the client waits 5 s longer.");
        key("loganalytics.startLookback", "1h", "On the very first start (no saved position), how far back in ingestion time to begin "
                + "(0s to 30d).");
        key("loganalytics.lease.enabled", "auto", "Leader election for several replicas: only the replica holding a blob lease polls "
                + "Log Analytics. `auto`: on when `loganalytics.lease.blobConnectionString` is set or Event Hubs blob checkpoints "
                + "are configured; `true` requires a storage account; `false`: every instance polls (one instance only).");
        secret("loganalytics.lease.blobConnectionString", "Storage connection string for the lease blob. Default: "
                + "`eventhubs.checkpoint.blobConnectionString` when Event Hubs uses blob checkpoints.");
        key("loganalytics.lease.container", null, "Blob container of the lease blob (created if missing). Default: "
                + "`eventhubs.checkpoint.container` when the lease uses the Event Hubs checkpoint account.");
        key("loganalytics.lease.blob", "loganalytics-poller.lease", "Name of the lease blob; it also holds the shared "
                + "ingestion-time watermark. Replicas polling the same workspace must use the same container and blob.");
        key("loganalytics.lease.duration", "60s", "Lease duration (15s to 60s, Azure's limits). The holder renews every third of "
                + "it; a replica that dies without releasing the lease is replaced after at most duration + a third.");
    }

    private ConfigKeys() {
    }
}
