package io.github.iothubexporter.export;

import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.state.StateStats;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the state metrics fresh on each scrape from the writer's published aggregates: cost is per hub
 * (and per critical device), never per tracked identity.
 */
final class StateCollector extends Collector {
    private static final List<String> HUB = List.of("hub");
    private final StateStats stats;

    StateCollector(StateStats stats) {
        this.stats = stats;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        String[] hubs = stats.hubs();
        GaugeMetricFamily connected = new GaugeMetricFamily("iothub_devices_connected",
                "Device identities whose latest connection-state event is DeviceConnected.", HUB);
        GaugeMetricFamily tracked = new GaugeMetricFamily("iothub_devices_tracked",
                "Device identities with a known connection state.", HUB);
        CounterMetricFamily events = new CounterMetricFamily("iothub_connection_events",
                "Connection-state events applied to the state.", List.of("hub", "event", "source"));
        CounterMetricFamily ignored = new CounterMetricFamily("iothub_connection_events_ignored",
                "Connection-state events that lost to a higher or equal sequence number.", List.of("hub", "reason"));
        for (int h = 0; h < hubs.length; h++) {
            List<String> hub = List.of(hubs[h]);
            connected.addMetric(hub, stats.connected(h));
            tracked.addMetric(hub, stats.tracked(h));
            for (EventSource s : EventSource.values()) {
                events.addMetric(List.of(hubs[h], "connected", s.label()), stats.applied(h, StateStats.EVENT_CONNECTED, s));
                events.addMetric(List.of(hubs[h], "disconnected", s.label()), stats.applied(h, StateStats.EVENT_DISCONNECTED, s));
            }
            ignored.addMetric(List.of(hubs[h], "duplicate"), stats.ignored(h, StateStats.IGNORED_DUPLICATE));
            ignored.addMetric(List.of(hubs[h], "out_of_order"), stats.ignored(h, StateStats.IGNORED_OUT_OF_ORDER));
        }
        GaugeMetricFamily critical = new GaugeMetricFamily("iothub_critical_device_connected",
                "1 when a configured critical device is connected, else 0.", List.of("hub", "device"));
        GaugeMetricFamily changed = new GaugeMetricFamily("iothub_critical_device_state_changed_timestamp_seconds",
                "Event time of a critical device's last connection-state change.", List.of("hub", "device"));
        for (StateStats.CriticalState c : stats.criticalDevices()) {
            List<String> labels = List.of(c.hub(), c.device());
            critical.addMetric(labels, c.connected() ? 1 : 0);
            changed.addMetric(labels, c.changedMillis() / 1000.0);
        }
        List<MetricFamilySamples> out = new ArrayList<>(6);
        out.add(connected);
        out.add(tracked);
        out.add(events);
        out.add(ignored);
        out.add(critical);
        out.add(changed);
        return out;
    }
}
