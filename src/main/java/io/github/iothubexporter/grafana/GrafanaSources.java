package io.github.iothubexporter.grafana;

import io.github.iothubexporter.classify.DisconnectClassifier;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateWriter;

import java.time.Clock;

/**
 * What the Grafana backend reads, each in its thread-safe way: the writer (one-identity reads and table walks run
 * as tasks on its thread), the published aggregates of the state and the classifier (per-hub atomic arrays, the
 * flapping and duplicate-identity lists), and the {@link DisconnectLog} the classifier keeps up to date.
 */
public record GrafanaSources(StateWriter writer, DisconnectClassifier classifier, DisconnectLog log, CriticalDevices critical,
                             Clock clock) {
}
