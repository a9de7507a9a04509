package io.github.iothubexporter.app;

import io.github.iothubexporter.classify.ClassificationSettings;
import io.github.iothubexporter.classify.DisconnectClassifier;
import io.github.iothubexporter.classify.SdkFamily;
import io.github.iothubexporter.classify.SdkVersionTable;
import io.github.iothubexporter.config.ConfigException;
import io.github.iothubexporter.config.ExporterConfig;
import io.github.iothubexporter.export.ExporterMetrics;
import io.github.iothubexporter.grafana.DisconnectLog;
import io.github.iothubexporter.grafana.GrafanaBackend;
import io.github.iothubexporter.grafana.GrafanaSources;
import io.github.iothubexporter.ingest.DeadLetterLog;
import io.github.iothubexporter.ingest.EventHubsInput;
import io.github.iothubexporter.ingest.ResourceLogSink;
import io.github.iothubexporter.ingest.WebhookAuth;
import io.github.iothubexporter.ingest.BodyException;
import io.github.iothubexporter.ingest.Rejection;
import io.github.iothubexporter.logs.ConnectionLogListeners;
import io.github.iothubexporter.logs.ConnectionLogParser;
import io.github.iothubexporter.logs.ParsedRecords;
import io.github.iothubexporter.logs.LeaderLease;
import io.github.iothubexporter.logs.LogAnalyticsPoller;
import io.github.iothubexporter.logs.LogEvidencePipeline;
import io.github.iothubexporter.logs.LogMetrics;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.sim.FleetSimulator;
import io.github.iothubexporter.sim.TruthFileWriter;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.azure.identity.DefaultAzureCredentialBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Wires the stages together: inputs → state writer → metrics and HTTP. */
public final class ExporterApp {
    private static final Logger LOG = LoggerFactory.getLogger(ExporterApp.class);
    static final String SDK_MAP_FILE = "logs-sdk.bin";
    private static final long SDK_MAP_SAVE_MILLIS = 5 * 60_000;

    /** Test and embedding hooks; {@link #NONE} in production. */
    public record Overrides(com.azure.core.http.HttpClient logAnalyticsHttpClient) {
        public static final Overrides NONE = new Overrides(null);
    }

    private final ExporterConfig config;
    private final Vertx vertx;
    private final StateWriter writer;
    private final ExporterMetrics metrics;
    private final DisconnectClassifier classifier;
    private final DisconnectLog disconnectLog;
    private final DeadLetterLog deadLetters;
    private final LogMetrics logMetrics;
    private final ConnectionLogListeners logListeners = new ConnectionLogListeners();
    private final Overrides overrides;
    private volatile FleetSimulator simulator;
    private final TruthFileWriter truthFile;
    private volatile LogAnalyticsPoller poller;
    private volatile EventHubsInput eventHubs;
    private volatile ResourceLogSink resourceLogSink = this::resourceLogs;
    private volatile int port;

    private ExporterApp(ExporterConfig config, Overrides overrides, TruthFileWriter truthFile) {
        this.config = config;
        this.overrides = overrides;
        this.truthFile = truthFile;
        this.vertx = Vertx.vertx();
        StateStore store = new StateStore(config.maxHubs(), new CriticalDevices(config.criticalDevices()),
                config.criticalMaxDevices());
        java.util.Map<SdkFamily, Integer> periods = new java.util.EnumMap<>(
                ClassificationSettings.defaults(config.reconnectGrace()).renewalSeconds());
        config.renewalPeriods().forEach((family, period) -> periods.put(SdkFamily.ofLabel(family), (int) period.toSeconds()));
        this.classifier = new DisconnectClassifier(new ClassificationSettings(config.reconnectGrace(), config.renewalTolerance(),
                periods, config.logWait()), config.maxHubs(), new SdkVersionTable());
        store.observer(classifier);
        this.disconnectLog = new DisconnectLog();
        classifier.addListener(disconnectLog); // before recovery: the replay rebuilds it
        this.writer = new StateWriter(new StateWriter.Options(config.stateDir(), config.fsync(), config.snapshotInterval(),
                config.snapshotJournalBytes(), config.queueCapacity(), config.classificationLateness()), store, Clock.systemUTC());
        this.metrics = new ExporterMetrics(store.stats(), classifier);
        writer.addListener(metrics);
        this.deadLetters = new DeadLetterLog(config.stateDir(), config.deadLetterMaxBytes());
        metrics.declareSource(EventSource.WEBHOOK);
        this.logMetrics = new LogMetrics(metrics.registry(), config.maxHubs(), config.maxSdkDevices());
        // records become classification evidence, then are counted under the kind of their disconnect
        logListeners.add(new LogEvidencePipeline(writer, logMetrics));
    }

    /** Starts HTTP at once (so /healthz and /readyz answer during recovery), then restores the state. */
    public static Future<ExporterApp> start(ExporterConfig config) {
        return start(config, Overrides.NONE);
    }

    public static Future<ExporterApp> start(ExporterConfig config, Overrides overrides) {
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            return Future.failedFuture(new ConfigException("state.dir " + config.stateDir() + " cannot be created: " + e.getMessage()));
        }
        TruthFileWriter truthFile;
        try {
            truthFile = openTruthFile(config);
        } catch (IOException e) {
            return Future.failedFuture(new ConfigException("simulator.truthFile " + config.simulatorTruthFile()
                    + " cannot be opened for appending: " + e.getMessage()));
        }
        ExporterApp app = new ExporterApp(config, overrides, truthFile);
        LOG.info("Starting iothub-connectivity-exporter {} ({}) with {}", ExporterMetrics.BuildInfo.VERSION,
                ExporterMetrics.BuildInfo.REVISION, config);
        GrafanaBackend grafana = new GrafanaBackend(app.vertx, new GrafanaSources(app.writer, app.classifier, app.disconnectLog,
                new CriticalDevices(config.criticalDevices()), Clock.systemUTC()), config.grafanaToken(), config.grafanaMaxBodyBytes());
        HttpServerVerticle.Dependencies deps = new HttpServerVerticle.Dependencies(config, app.writer, app.metrics,
                app.deadLetters, new WebhookAuth(config.webhookSecret()), grafana,
                new DeviceApi(app.vertx, app.writer, app.classifier.versions(), app.disconnectLog), app::status);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        return app.vertx.deployVerticle(() -> new HttpServerVerticle(deps, p -> app.port = p),
                        new DeploymentOptions().setInstances(instances))
                .compose(id -> app.recover())
                .map(v -> app)
                .onFailure(e -> {
                    app.vertx.close();
                    if (truthFile != null) {
                        truthFile.close();
                    }
                });
    }

    /** The simulator's ground-truth file, opened before anything starts so that a bad path fails at once. */
    private static TruthFileWriter openTruthFile(ExporterConfig config) throws IOException {
        if (config.simulatorTruthFile() == null) {
            return null;
        }
        if (!config.simulatorEnabled()) {
            LOG.warn("simulator.truthFile is set but the simulator is off: no ground truth is written");
            return null;
        }
        return TruthFileWriter.open(config.simulatorTruthFile());
    }

    private Future<Void> recover() {
        Promise<Void> done = Promise.promise();
        Thread t = new Thread(() -> {
            try {
                writer.recover();
                writer.start();
                try {
                    logMetrics.load(sdkMapFile());
                } catch (IOException e) {
                    LOG.warn("Ignoring the per-device SDK map {} ({}); it is rebuilt from new Connections records",
                            sdkMapFile(), e.toString());
                }
                vertx.setPeriodic(SDK_MAP_SAVE_MILLIS, id -> vertx.executeBlocking(() -> {
                    saveSdkMap();
                    return null;
                }, false));
                if (config.logAnalytics().configured()) {
                    startLogAnalytics();
                }
                if (config.eventHubs().configured()) {
                    startEventHubs();
                }
                if (config.simulatorEnabled()) {
                    startSimulator();
                }
                done.complete();
            } catch (Exception e) {
                LOG.error("Cannot restore the state from {}: {}", config.stateDir(), e.toString());
                done.fail(e);
            }
        }, "state-recovery");
        t.start();
        return done.future();
    }

    private Path sdkMapFile() {
        return config.stateDir().resolve(SDK_MAP_FILE);
    }

    private void saveSdkMap() {
        try {
            logMetrics.save(sdkMapFile());
        } catch (IOException e) {
            LOG.warn("Cannot save the per-device SDK map to {}: {}", sdkMapFile(), e.toString());
        }
    }

    /**
     * The poller runs the SDK's blocking client on its own thread; DefaultAzureCredential finds the identity. With
     * {@code loganalytics.lease.*} it polls only while this replica holds the leader lease (its own thread renews it).
     */
    private void startLogAnalytics() {
        var la = config.logAnalytics();
        var client = LogAnalyticsPoller.client(la.endpoint(), new DefaultAzureCredentialBuilder().build(),
                overrides.logAnalyticsHttpClient());
        LeaderLease lease = la.lease() == null ? null : new LeaderLease(new LeaderLease.Settings(la.lease().connectionString(),
                la.lease().container(), la.lease().blob(), la.lease().duration()));
        if (lease != null && la.lease().fromEventHubs()) {
            LOG.info("The Log Analytics leader lease uses the Event Hubs checkpoint storage account");
        }
        poller = new LogAnalyticsPoller(new LogAnalyticsPoller.Settings(la.workspaceId(), la.interval(), la.overlap(),
                la.queryTimeout(), la.maxRows(), la.startLookback(), la.hubs(),
                Duration.ofMillis(Math.min(1000, Math.max(50, la.interval().toMillis() / 2))), Duration.ofMinutes(5),
                Duration.ofMinutes(10)), client, writer, logListeners, metrics.registry(),
                (reason, n) -> metrics.rejected(LogAnalyticsPoller.SOURCE, reason, n), Clock.systemUTC(), lease);
        poller.start();
    }

    private void startEventHubs() {
        metrics.declareSource(EventSource.EVENTHUBS);
        EventHubsInput input = new EventHubsInput(config.eventHubs(), writer, metrics, deadLetters,
                (body, partition, seq) -> resourceLogSink.accept(body, partition, seq));
        input.start();
        eventHubs = input;
    }

    /**
     * IoT Hub resource logs streamed to Event Hubs: the same record parser and pipeline as Log Analytics rows, so the
     * records become classification evidence and are counted under their disconnect's kind.
     */
    private void resourceLogs(byte[] body, String partition, long sequenceNumber) {
        try {
            ParsedRecords parsed = new ConnectionLogParser().parseRecordsBody(body, 0, body.length);
            for (Rejection r : parsed.rejections()) {
                metrics.rejected(EventSource.EVENTHUBS, r.reason(), 1);
            }
            if (!parsed.rejections().isEmpty()) {
                deadLetters.append(parsed.rejections().stream().map(r -> new DeadLetterLog.Entry(EventSource.EVENTHUBS, r.reason(),
                        r.message(), body, r.rawStart(), r.rawEnd(), r.rawStart() >= 0,
                        "partition=" + partition + " sequenceNumber=" + sequenceNumber)).toList());
            }
            logListeners.onRecords(parsed.records(), "eventhubs");
        } catch (BodyException e) {
            metrics.rejected(EventSource.EVENTHUBS, e.reason(), 1);
            deadLetters.append(List.of(new DeadLetterLog.Entry(EventSource.EVENTHUBS, e.reason(), e.getMessage(), body, 0,
                    body.length, false, "partition=" + partition + " sequenceNumber=" + sequenceNumber)));
        }
    }

    /** Where resource-log bodies from Event Hubs go ({@code {"records":[...]}}); replaceable for embedding. */
    public void resourceLogSink(ResourceLogSink sink) {
        this.resourceLogSink = sink;
    }

    /** The Log Analytics poller, or null when it is not configured (or not started yet). */
    public LogAnalyticsPoller logAnalytics() {
        return poller;
    }

    /** The Event Hubs input, or null when it is not configured (or not started yet). */
    public EventHubsInput eventHubs() {
        return eventHubs;
    }

    private void startSimulator() {
        metrics.declareSource(EventSource.SIMULATOR);
        simulator = new FleetSimulator(config, writer, metrics, logListeners);
        if (truthFile != null) {
            simulator.onTruth(truthFile);
            LOG.info("Simulator ground truth is appended to {}", truthFile.file());
        }
        simulator.start();
        if (config.realInputConfigured()) {
            LOG.warn("SIMULATOR ON (simulator.enabled=true) NEXT TO REAL INPUTS: simulated hubs ({} devices, speed {}x, seed {}) "
                    + "are MIXED with real data on /metrics. State: {}. Set simulator.enabled=auto or false for real data only.",
                    config.simulatorDevices(), config.simulatorSpeed(), config.simulatorSeed(), config.stateDir());
        } else {
            LOG.warn("SIMULATOR ON: no input is configured, so the data on /metrics is SIMULATED ({} devices, speed {}x, seed {}; "
                    + "state in {}). Configure webhook.secret, eventhubs.* or loganalytics.* for real data.",
                    config.simulatorDevices(), config.simulatorSpeed(), config.simulatorSeed(), config.stateDir());
        }
    }

    public int port() {
        return port;
    }

    public StateWriter writer() {
        return writer;
    }

    public DisconnectClassifier classifier() {
        return classifier;
    }

    /** The per-device decisions the Grafana backend reads. */
    public DisconnectLog disconnectLog() {
        return disconnectLog;
    }

    /** Connections-record metrics and the per-device SDK map, shared by every record source. */
    public LogMetrics logMetrics() {
        return logMetrics;
    }

    /** Where every record source delivers Connections records; {@link #logMetrics()} is registered by default. */
    public ConnectionLogListeners logListeners() {
        return logListeners;
    }

    /** What the landing page and /readyz show. */
    HttpServerVerticle.Status status() {
        List<HttpServerVerticle.SourceHealth> sources = new ArrayList<>(1);
        if (config.logAnalytics().configured()) {
            LogAnalyticsPoller p = poller;
            sources.add(p == null ? new HttpServerVerticle.SourceHealth(LogAnalyticsPoller.SOURCE, false, "not started yet")
                    : new HttpServerVerticle.SourceHealth(LogAnalyticsPoller.SOURCE, p.health().ready(), p.health().detail()));
        }
        if (config.eventHubs().configured()) {
            EventHubsInput input = eventHubs;
            sources.add(new HttpServerVerticle.SourceHealth("eventhubs", input != null && input.running(),
                    input == null ? "not started yet" : input.running() ? "running" : "stopped"));
        }
        return new HttpServerVerticle.Status(writer.ready(), simulator != null, writer.failure(), sources);
    }

    public void stop() {
        LOG.info("Stopping: draining inputs and writing a final snapshot");
        if (poller != null) {
            poller.close();
        }
        if (simulator != null) {
            simulator.stop();
        }
        if (truthFile != null) {
            truthFile.close(); // after the simulator's thread has ended: every truth it told is written
        }
        if (eventHubs != null) {
            eventHubs.close(); // in-flight batches finish and checkpoint before the state writer closes
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        } catch (Exception e) {
            LOG.warn("HTTP shutdown: {}", e.toString());
        }
        saveSdkMap();
        try {
            writer.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadLetters.close();
    }
}
