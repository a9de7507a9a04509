package io.github.iothubexporter.logs;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;

import java.util.function.DoubleSupplier;

/**
 * {@code iothub_loganalytics_*}: the poller's queries by outcome ({@code success}, {@code partial},
 * {@code throttled}, {@code error}), their duration, the last success, how far the ingestion-time watermark
 * trails the clock, whether this replica is the one polling, and what happened to the rows read (counted, duplicate of an overlap, rejected; late
 * rows found by the overlap check).
 */
public final class LogAnalyticsMetrics {
    public enum Outcome {
        SUCCESS("success"), PARTIAL("partial"), THROTTLED("throttled"), ERROR("error");

        final String label;

        Outcome(String label) {
            this.label = label;
        }
    }

    private final Counter.Child[] queries = new Counter.Child[Outcome.values().length];
    private final Histogram.Child duration;
    private final Gauge.Child lastSuccess;
    final Counter.Child counted;
    final Counter.Child duplicates;
    final Counter.Child rejected;
    final Counter.Child late;

    public LogAnalyticsMetrics(CollectorRegistry registry, String workspace, DoubleSupplier watermarkLagSeconds) {
        this(registry, workspace, watermarkLagSeconds, () -> 1);
    }

    /** @param leader 1 while this replica polls (always, without leader election), 0 on a standby replica */
    public LogAnalyticsMetrics(CollectorRegistry registry, String workspace, DoubleSupplier watermarkLagSeconds,
                               DoubleSupplier leader) {
        Counter q = Counter.build("iothub_loganalytics_queries_total", "Log Analytics queries sent, by outcome.")
                .labelNames("workspace", "outcome").register(registry);
        for (Outcome o : Outcome.values()) {
            queries[o.ordinal()] = q.labels(workspace, o.label);
        }
        duration = Histogram.build("iothub_loganalytics_query_duration_seconds", "Duration of Log Analytics queries.")
                .labelNames("workspace")
                .buckets(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600)
                .register(registry).labels(workspace);
        lastSuccess = Gauge.build("iothub_loganalytics_last_success_timestamp_seconds",
                        "Time of the last successful Log Analytics query.")
                .labelNames("workspace").register(registry).labels(workspace);
        Gauge lag = Gauge.build("iothub_loganalytics_watermark_lag_seconds",
                        "Now minus the ingestion-time watermark below which every Connections record has been read.")
                .labelNames("workspace").register(registry);
        lag.setChild(new Gauge.Child() {
            @Override
            public double get() {
                return watermarkLagSeconds.getAsDouble();
            }
        }, workspace);
        Gauge leading = Gauge.build("iothub_loganalytics_leader",
                        "1 while this replica polls the workspace (it holds the leader lease, or there is no leader election), "
                                + "0 while it stands by.")
                .labelNames("workspace").register(registry);
        leading.setChild(new Gauge.Child() {
            @Override
            public double get() {
                return leader.getAsDouble();
            }
        }, workspace);
        Counter rows = Counter.build("iothub_loganalytics_records_total",
                        "Rows read from Log Analytics: counted (new), duplicate (already counted, read again by an overlapping "
                                + "window) or rejected (not a usable Connections record).")
                .labelNames("workspace", "outcome").register(registry);
        counted = rows.labels(workspace, "counted");
        duplicates = rows.labels(workspace, "duplicate");
        rejected = rows.labels(workspace, "rejected");
        late = Counter.build("iothub_loganalytics_late_records_total",
                        "Records that became visible after their ingestion-time window had been read, found by the overlap check.")
                .labelNames("workspace").register(registry).labels(workspace);
    }

    void query(Outcome outcome, double seconds) {
        queries[outcome.ordinal()].inc();
        duration.observe(seconds);
    }

    void success(long epochMillis) {
        lastSuccess.set(epochMillis / 1000.0);
    }
}
