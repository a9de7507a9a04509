package io.github.iothubexporter.app;

import io.github.iothubexporter.config.ExporterConfig;
import io.github.iothubexporter.export.ExporterMetrics;
import io.github.iothubexporter.ingest.DeadLetterLog;
import io.github.iothubexporter.ingest.EventHubsInput;
import io.github.iothubexporter.ingest.ResourceLogSink;
import io.github.iothubexporter.ingest.WebhookAuth;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.sim.FleetSimulator;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;

/** Wires the stages together: inputs → state writer → metrics and HTTP. */
public final class ExporterApp {
    private static final Logger LOG = LoggerFactory.getLogger(ExporterApp.class);

    private final ExporterConfig config;
    private final Vertx vertx;
    private final StateWriter writer;
    private final ExporterMetrics metrics;
    private final DeadLetterLog deadLetters;
    private volatile FleetSimulator simulator;
    private volatile EventHubsInput eventHubs;
    private volatile ResourceLogSink resourceLogSink = EventHubsInput.debugLogSink();
    private volatile int port;

    private ExporterApp(ExporterConfig config) {
        this.config = config;
        this.vertx = Vertx.vertx();
        StateStore store = new StateStore(config.maxHubs(), new CriticalDevices(config.criticalDevices()),
                config.criticalMaxDevices());
        this.writer = new StateWriter(new StateWriter.Options(config.stateDir(), config.fsync(), config.snapshotInterval(),
                config.snapshotJournalBytes(), config.queueCapacity()), store, Clock.systemUTC());
        this.metrics = new ExporterMetrics(store.stats());
        writer.addListener(metrics);
        this.deadLetters = new DeadLetterLog(config.stateDir(), config.deadLetterMaxBytes());
        metrics.declareSource(EventSource.WEBHOOK);
    }

    /** Starts HTTP at once (so /healthz and /readyz answer during recovery), then restores the state. */
    public static Future<ExporterApp> start(ExporterConfig config) {
        try {
            Files.createDirectories(config.stateDir());
        } catch (IOException e) {
            return Future.failedFuture(new IOException("state.dir " + config.stateDir() + " cannot be created: " + e.getMessage(), e));
        }
        ExporterApp app = new ExporterApp(config);
        LOG.info("Starting iothub-connectivity-exporter {} ({}) with {}", ExporterMetrics.BuildInfo.VERSION,
                ExporterMetrics.BuildInfo.REVISION, config);
        HttpServerVerticle.Dependencies deps = new HttpServerVerticle.Dependencies(config, app.writer, app.metrics,
                app.deadLetters, new WebhookAuth(config.webhookSecret()), app::status);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        return app.vertx.deployVerticle(() -> new HttpServerVerticle(deps, p -> app.port = p),
                        new DeploymentOptions().setInstances(instances))
                .compose(id -> app.recover())
                .map(v -> app)
                .onFailure(e -> app.vertx.close());
    }

    private Future<Void> recover() {
        Promise<Void> done = Promise.promise();
        Thread t = new Thread(() -> {
            try {
                writer.recover();
                writer.start();
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

    private void startEventHubs() {
        metrics.declareSource(EventSource.EVENTHUBS);
        EventHubsInput input = new EventHubsInput(config.eventHubs(), writer, metrics, deadLetters,
                (body, partition, seq) -> resourceLogSink.accept(body, partition, seq));
        input.start();
        eventHubs = input;
    }

    /** Where resource-log bodies from Event Hubs go ({@code {"records":[...]}}); by default they are only counted. */
    public void resourceLogSink(ResourceLogSink sink) {
        this.resourceLogSink = sink;
    }

    /** The Event Hubs input, or null when it is not configured (or not started yet). */
    public EventHubsInput eventHubs() {
        return eventHubs;
    }

    private void startSimulator() {
        metrics.declareSource(EventSource.SIMULATOR);
        simulator = new FleetSimulator(config, writer, metrics);
        simulator.start();
        LOG.warn("SIMULATOR ON: no input is configured, so the data on /metrics is SIMULATED ({} devices, speed {}x, seed {}). "
                + "Configure webhook.secret, eventhubs.* or loganalytics.* for real data.",
                config.simulatorDevices(), config.simulatorSpeed(), config.simulatorSeed());
    }

    public int port() {
        return port;
    }

    public StateWriter writer() {
        return writer;
    }

    /** What the landing page and /readyz show: ready once the state is restored and every configured input runs. */
    HttpServerVerticle.Status status() {
        boolean inputsUp = !config.eventHubs().configured() || (eventHubs != null && eventHubs.running());
        return new HttpServerVerticle.Status(writer.ready() && inputsUp, simulator != null, writer.failure());
    }

    public void stop() {
        LOG.info("Stopping: draining inputs and writing a final snapshot");
        if (simulator != null) {
            simulator.stop();
        }
        if (eventHubs != null) {
            eventHubs.close(); // in-flight batches finish and checkpoint before the state writer closes
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        } catch (Exception e) {
            LOG.warn("HTTP shutdown: {}", e.toString());
        }
        try {
            writer.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadLetters.close();
    }
}
