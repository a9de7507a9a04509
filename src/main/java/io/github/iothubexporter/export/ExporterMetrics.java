package io.github.iothubexporter.export;

import io.github.iothubexporter.classify.DisconnectClassifier;
import io.github.iothubexporter.ingest.RejectReason;
import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.state.StateListener;
import io.github.iothubexporter.state.StateStats;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.hotspot.DefaultExports;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The service's Prometheus registry: state aggregates (read from {@link StateStats} at scrape time),
 * input counters, the processing-delay histogram, build info and the JVM collectors.
 */
public final class ExporterMetrics implements StateListener {
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final Counter rejected;
    private final Histogram.Child[] delayBySource;
    private final Counter eventHubsReceived;
    private final Gauge eventHubsOwned;
    private final Gauge eventHubsLag;

    public ExporterMetrics(StateStats stats, DisconnectClassifier classifier) {
        DefaultExports.register(registry);
        new StateCollector(stats).register(registry);
        new ClassificationCollector(classifier.stats(), stats, classifier.versions(), classifier.flapping(),
                classifier.duplicateIdentities()).register(registry);
        rejected = Counter.build("iothub_events_rejected_total", "Inputs that could not be used, by input and reason.")
                .labelNames("source", "reason").register(registry);
        Histogram delay = Histogram.build("iothub_event_processing_delay_seconds",
                        "Time from an event's own time to its application to the state.")
                .labelNames("source")
                .buckets(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
                .register(registry);
        delayBySource = new Histogram.Child[EventSource.values().length];
        for (EventSource s : EventSource.values()) {
            delayBySource[s.ordinal()] = delay.labels(s.label());
        }
        eventHubsReceived = Counter.build("iothub_eventhubs_events_received_total",
                        "Event Hubs messages received, by event hub, partition and detected body format.")
                .labelNames("eventhub", "partition", "format").register(registry);
        eventHubsOwned = Gauge.build("iothub_eventhubs_partitions_owned",
                        "Event Hubs partitions this instance currently processes.")
                .labelNames("eventhub").register(registry);
        eventHubsLag = Gauge.build("iothub_eventhubs_consumer_lag_seconds",
                        "Now minus the enqueued time of the last processed message (0 when caught up), per owned partition.")
                .labelNames("eventhub", "partition").register(registry);
        Gauge.build("iothub_exporter_build_info", "Build of the exporter; always 1.")
                .labelNames("version", "revision").register(registry)
                .labels(BuildInfo.VERSION, BuildInfo.REVISION).set(1);
    }

    public CollectorRegistry registry() {
        return registry;
    }

    /** Shows every reason of an input at 0 from the start, so rates and alerts have a series to work with. */
    public void declareSource(EventSource source) {
        for (RejectReason r : RejectReason.values()) {
            rejected.labels(source.label(), r.label());
        }
    }

    public void rejected(EventSource source, RejectReason reason, int count) {
        rejected(source.label(), reason, count);
    }

    /** For inputs that are not connection-state event sources (e.g. {@code loganalytics} rows). */
    public void rejected(String source, RejectReason reason, int count) {
        rejected.labels(source, reason.label()).inc(count);
    }

    public void eventHubsReceived(String eventHub, String partition, String format, int count) {
        eventHubsReceived.labels(eventHub, partition, format).inc(count);
    }

    /** Shows the owned-partitions gauge at 0 before the first claim. */
    public void declareEventHub(String eventHub) {
        eventHubsOwned.labels(eventHub);
    }

    public void eventHubsPartitionOwned(String eventHub, boolean owned) {
        eventHubsOwned.labels(eventHub).inc(owned ? 1 : -1);
    }

    public void eventHubsLag(String eventHub, String partition, double seconds) {
        eventHubsLag.labels(eventHub, partition).set(seconds);
    }

    /** A partition this instance no longer owns reports no lag (another replica does). */
    public void eventHubsLagRemoved(String eventHub, String partition) {
        eventHubsLag.remove(eventHub, partition);
    }

    @Override
    public void applied(ConnectionEvent event, EventSource source, long nowMillis) {
        delayBySource[source.ordinal()].observe(Math.max(0, nowMillis - event.eventTimeMillis()) / 1000.0);
    }

    /** Version and git revision, filled in by the build. */
    public static final class BuildInfo {
        public static final String VERSION;
        public static final String REVISION;

        static {
            Properties p = new Properties();
            try (InputStream in = BuildInfo.class.getResourceAsStream("/build-info.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException ignored) {
                // fall through to "unknown"
            }
            VERSION = clean(p.getProperty("version"));
            REVISION = clean(p.getProperty("revision"));
        }

        private static String clean(String v) {
            return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v;
        }

        private BuildInfo() {
        }
    }
}
