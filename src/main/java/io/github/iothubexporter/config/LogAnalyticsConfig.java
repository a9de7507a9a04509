package io.github.iothubexporter.config;

import java.time.Duration;
import java.util.List;

/** The {@code loganalytics.*} keys. {@link #configured()} is true when a workspace is set. */
public record LogAnalyticsConfig(String workspaceId, String endpoint, Duration interval, List<String> hubs, Duration overlap,
                                 int maxRows, Duration queryTimeout, Duration startLookback) {
    public boolean configured() {
        return workspaceId != null;
    }
}
