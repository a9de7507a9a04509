package io.github.iothubexporter.config;

import java.time.Duration;

/** The {@code loganalytics.*} keys. {@link #configured()} is true when a workspace is set. */
public record LogAnalyticsConfig(String workspaceId, String endpoint, Duration interval) {
    public boolean configured() {
        return workspaceId != null;
    }
}
