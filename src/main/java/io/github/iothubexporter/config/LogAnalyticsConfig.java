package io.github.iothubexporter.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code loganalytics.*} keys. {@link #configured()} is true when a workspace is set.
 *
 * @param lease the leader lease for several replicas, or null (every instance polls)
 */
public record LogAnalyticsConfig(String workspaceId, String endpoint, Duration interval, List<String> hubs, Duration overlap,
                                 int maxRows, Duration queryTimeout, Duration startLookback, LeaseConfig lease) {
    public boolean configured() {
        return workspaceId != null;
    }

    @Override
    public String toString() {
        return configured() ? "loganalytics[" + workspaceId + ", every " + interval + (lease == null ? "" : ", " + lease) + "]"
                : "loganalytics[off]";
    }
}
