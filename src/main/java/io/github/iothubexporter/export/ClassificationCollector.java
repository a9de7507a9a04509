package io.github.iothubexporter.export;

import io.github.iothubexporter.classify.ClassificationStats;
import io.github.iothubexporter.classify.DisconnectKind;
import io.github.iothubexporter.classify.RecentDevices;
import io.github.iothubexporter.classify.SdkFamily;
import io.github.iothubexporter.classify.SdkVersionTable;
import io.github.iothubexporter.state.StateStats;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;

import java.util.ArrayList;
import java.util.List;

/** Classified disconnects, reconnect durations and offline devices, built per scrape from published stats. */
final class ClassificationCollector extends Collector {
    private final ClassificationStats stats;
    private final StateStats state;
    private final SdkVersionTable versions;

    private final RecentDevices flapping;
    private final RecentDevices duplicates;

    ClassificationCollector(ClassificationStats stats, StateStats state, SdkVersionTable versions, RecentDevices flapping,
                            RecentDevices duplicates) {
        this.flapping = flapping;
        this.duplicates = duplicates;
        this.stats = stats;
        this.state = state;
        this.versions = versions;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        String[] hubs = state.hubs();
        CounterMetricFamily disconnects = new CounterMetricFamily("iothub_disconnects",
                "Classified disconnects: token_renewal, transient (reconnected within the grace window) or genuine.",
                List.of("hub", "kind", "sdk", "sdk_version"));
        boolean[][] seen = new boolean[hubs.length][DisconnectKind.values().length];
        for (ClassificationStats.DisconnectCount c : stats.disconnectCounts()) {
            if (c.hub() < hubs.length) {
                disconnects.addMetric(List.of(hubs[c.hub()], c.kind().label(), SdkFamily.ofOrdinal(c.sdk()).label(),
                        versionLabel(versions.name(c.version()))), c.count());
                seen[c.hub()][c.kind().ordinal()] = true;
            }
        }
        GaugeMetricFamily offline = new GaugeMetricFamily("iothub_devices_offline",
                "Devices disconnected for longer than the grace window.", List.of("hub"));
        GaugeMetricFamily flappingDevices = new GaugeMetricFamily("iothub_devices_flapping",
                "Devices with five or more transient disconnects within the last hour (event time).", List.of("hub"));
        GaugeMetricFamily duplicateSuspects = new GaugeMetricFamily("iothub_devices_duplicate_identity_suspected",
                "Devices whose connection was taken over by another connection (400027) within the last hour.", List.of("hub"));
        List<MetricFamilySamples.Sample> histogram = new ArrayList<>();
        for (int h = 0; h < hubs.length; h++) {
            offline.addMetric(List.of(hubs[h]), stats.offline(h));
            flappingDevices.addMetric(List.of(hubs[h]), flapping.countActive(hubs[h]));
            duplicateSuspects.addMetric(List.of(hubs[h]), duplicates.countActive(hubs[h]));
            for (DisconnectKind k : DisconnectKind.values()) {
                if (!seen[h][k.ordinal()]) {
                    disconnects.addMetric(List.of(hubs[h], k.label(), SdkFamily.UNKNOWN.label(), ""), 0);
                }
                long[] buckets = stats.buckets(h, k);
                long cumulative = 0;
                for (int b = 0; b < buckets.length; b++) {
                    cumulative += buckets[b];
                    String le = b < ClassificationStats.BUCKETS.length ? Collector.doubleToGoString(ClassificationStats.BUCKETS[b]) : "+Inf";
                    histogram.add(new MetricFamilySamples.Sample("iothub_reconnect_duration_seconds_bucket", List.of("hub", "kind", "le"),
                            List.of(hubs[h], k.label(), le), cumulative));
                }
                histogram.add(new MetricFamilySamples.Sample("iothub_reconnect_duration_seconds_count", List.of("hub", "kind"),
                        List.of(hubs[h], k.label()), cumulative));
                histogram.add(new MetricFamilySamples.Sample("iothub_reconnect_duration_seconds_sum", List.of("hub", "kind"),
                        List.of(hubs[h], k.label()), stats.sumSeconds(h, k)));
            }
        }
        GaugeMetricFamily criticalOffline = new GaugeMetricFamily("iothub_critical_device_offline",
                "1 while a configured critical device is in a genuine outage (disconnected beyond the grace window).",
                List.of("hub", "device"));
        for (StateStats.CriticalState c : state.criticalDevices()) {
            criticalOffline.addMetric(List.of(c.hub(), c.device()), c.offline() ? 1 : 0);
        }
        List<MetricFamilySamples> out = new ArrayList<>(4);
        out.add(disconnects);
        out.add(offline);
        out.add(flappingDevices);
        out.add(duplicateSuspects);
        out.add(new MetricFamilySamples("iothub_reconnect_duration_seconds", Type.HISTOGRAM,
                "Time from a disconnect to the reconnect, by the disconnect's kind.", histogram));
        out.add(criticalOffline);
        return out;
    }

    /** The same {@code sdk_version} value as the error and SDK metrics use when no version is known. */
    static String versionLabel(String version) {
        return version == null || version.isEmpty() ? "unknown" : version;
    }
}
