package io.github.iothubexporter.config;

import java.time.Duration;

/**
 * The {@code loganalytics.lease.*} keys, resolved: where the Log Analytics poller's leader lease lives (DESIGN §9).
 * Null in {@link LogAnalyticsConfig} when leader election is off. {@link #toString} never shows the connection string.
 *
 * @param fromEventHubs true when the account (and possibly the container) are Event Hubs' blob checkpoint store's
 */
public record LeaseConfig(String connectionString, String container, String blob, Duration duration, boolean fromEventHubs) {
    /** How often the holder renews and a standby replica tries to acquire: a third of the duration. */
    public Duration renewInterval() {
        return duration.dividedBy(3);
    }

    @Override
    public String toString() {
        return "lease[" + container + "/" + blob + ", " + duration.toSeconds() + "s"
                + (fromEventHubs ? ", Event Hubs checkpoint account" : "") + "]";
    }
}
