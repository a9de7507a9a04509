package io.github.iothubexporter.ops;

import io.github.iothubexporter.app.RunningExporter;
import io.github.iothubexporter.logs.LogAnalyticsMetrics;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metric name in the alert rules and the dashboards is one the exporter really exposes: the names are read
 * from the /metrics of the real service (in-process, on the simulator, with critical devices) and from the Log
 * Analytics metrics as the poller registers them (they exist only while a workspace is configured).
 */
class PromqlMetricNamesTest {
    /** Series Prometheus makes itself. */
    private static final Set<String> PROMETHEUS_SERIES = Set.of("up", "ALERTS", "ALERTS_FOR_STATE");

    @TempDir
    Path tmp;

    @Test
    void theExtractorFindsMetricNamesAndNothingElse() {
        assertThat(PromqlNames.of("sum by (hub, kind) (rate(foo_total{a=\"b{c}[x]\", kind!=\"token_renewal\"}[5m] offset 1h))"
                + " / on (hub) group_left(x) bar > bool 3 and baz_seconds_bucket or vector(0) unless max_over_time(qux[1h:1m])"))
                .containsExactly("foo_total", "bar", "baz_seconds_bucket", "qux");
        assertThat(PromqlNames.of("histogram_quantile(0.9, sum(rate(h_bucket[$__rate_interval]))) > 1e-3 * 2"))
                .containsExactly("h_bucket");
        assertThat(PromqlNames.of("time() - max by (workspace) (last_success)")).containsExactly("last_success");
        assertThat(PromqlNames.of("up{job=\"iothub-exporter\"} == 0 or absent(up{job=\"iothub-exporter\"})")).containsExactly("up");
        assertThat(PromqlNames.of("sum without (instance) (x) # a comment naming y\n+ z")).containsExactly("x", "z");
        assertThat(PromqlNames.selectors("sum by (k) (rate(a{x=\"}\", y!=\"b\"}[5m])) / b + c{}"))
                .containsExactly("a{x=\"}\", y!=\"b\"}", "b", "c{}");
    }

    @Test
    void rulesAndDashboardsUseOnlyExposedMetrics() throws Exception {
        Set<String> exposed = exposedNames();
        // sanity: the scrape really has the families (also the ones without samples yet)
        assertThat(exposed).contains("iothub_devices_connected", "iothub_disconnects_total", "iothub_reconnect_duration_seconds_bucket",
                "iothub_connection_errors_total", "iothub_critical_device_offline", "iothub_eventhubs_consumer_lag_seconds",
                "iothub_loganalytics_last_success_timestamp_seconds", "iothub_event_processing_delay_seconds_bucket");
        Map<String, String> expressions = new java.util.LinkedHashMap<>(OpsFiles.ruleExpressions());
        for (OpsFiles.DashboardQuery q : OpsFiles.dashboardQueries()) {
            expressions.put(q.where(), OpsFiles.grafanaToPromql(q.expr(), "1m", "1h"));
        }
        assertThat(expressions).hasSizeGreaterThan(40);
        List<String> unknown = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (Map.Entry<String, String> e : expressions.entrySet()) {
            Set<String> names = PromqlNames.of(e.getValue());
            if (names.isEmpty()) {
                unknown.add(e.getKey() + ": selects no metric: " + e.getValue());
            }
            for (String name : names) {
                used.add(name);
                if (!exposed.contains(name) && !PROMETHEUS_SERIES.contains(name)) {
                    unknown.add(e.getKey() + ": " + name);
                }
            }
        }
        assertThat(unknown).as("metric names the exporter does not expose").isEmpty();
        // every iothub_ family of the contract is used somewhere (dashboards or alerts)
        Set<String> families = new TreeSet<>();
        for (String name : exposed) {
            if (name.startsWith("iothub_") && !name.endsWith("_created") && !name.endsWith("_sum") && !name.endsWith("_count")
                    && !name.equals("iothub_exporter_build_info") && !exposed.contains(name + "_bucket")) {
                families.add(name);
            }
        }
        families.removeAll(used);
        assertThat(families).as("exposed iothub_ metrics that no dashboard or alert uses").isEmpty();
    }

    private Set<String> exposedNames() throws Exception {
        Set<String> names = new TreeSet<>();
        try (RunningExporter exporter = new RunningExporter(tmp.resolve("state"), Map.of(
                "IOTHUB_EXPORTER_SIMULATOR_ENABLED", "true",
                "IOTHUB_EXPORTER_SIMULATOR_DEVICES", "200",
                "IOTHUB_EXPORTER_CRITICAL_DEVICES", "*"))) {
            names.addAll(names(exporter.metrics()));
        }
        CollectorRegistry registry = new CollectorRegistry();
        new LogAnalyticsMetrics(registry, "workspace", () -> 0);
        StringWriter w = new StringWriter();
        TextFormat.write004(w, registry.metricFamilySamples());
        names.addAll(names(w.toString()));
        return names;
    }

    /** Sample names, and for every declared family the names its samples can have. */
    static Set<String> names(String exposition) {
        Set<String> out = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                String name = p[2];
                out.add(name);
                switch (p[3]) {
                    case "histogram" -> out.addAll(List.of(name + "_bucket", name + "_sum", name + "_count"));
                    case "summary" -> out.addAll(List.of(name + "_sum", name + "_count"));
                    default -> {
                    }
                }
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                int end = 0;
                while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                    end++;
                }
                out.add(line.substring(0, end));
            }
        }
        return out;
    }
}
