package io.github.iothubexporter.logs;

import io.github.iothubexporter.logs.LogAnalyticsPoller.Health;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Whether the poller can be counted on, in words for /readyz and the landing page. A few failed polls are normal
 * (throttling, a slow query); unready means failing for several polls and for longer than two intervals.
 */
final class PollerHealth {
    private final LeaderLease lease; // null for a single instance
    private final QueryRunner runner;
    private final Clock clock;
    private final Duration interval;
    private final DoubleSupplier watermarkLagSeconds;
    private volatile int consecutiveFailures;
    private volatile String lastProblem = "no query yet";

    PollerHealth(LeaderLease lease, QueryRunner runner, Clock clock, Duration interval, DoubleSupplier watermarkLagSeconds) {
        this.lease = lease;
        this.runner = runner;
        this.clock = clock;
        this.interval = interval;
        this.watermarkLagSeconds = watermarkLagSeconds;
    }

    /** Called by the polling thread only, so the increments need no lock. */
    void succeeded() {
        consecutiveFailures = 0;
        lastProblem = "";
    }

    void failed(String problem) {
        consecutiveFailures++;
        lastProblem = problem;
    }

    Health health() {
        if (lease != null && !lease.leading()) {
            if (!lease.attempted()) {
                return new Health(false, "starting: no answer from the lease " + lease.where() + " yet");
            }
            if (!lease.storageHealthy()) {
                return new Health(false, "standby, and the lease " + lease.where() + " cannot be reached: " + lease.problem());
            }
            String problem = lease.problem();
            return new Health(true, "standby: another replica holds the lease " + lease.where() + " and polls"
                    + (problem.isEmpty() ? "" : " (last attempt: " + problem + ")") + "; trying every "
                    + lease.settings().renewInterval().toSeconds() + " s");
        }
        Health h = ownHealth();
        return lease == null ? h : new Health(h.ready(), h.detail() + "; leader (lease " + lease.where() + ")");
    }

    private Health ownHealth() {
        long last = runner.lastSuccessMillis();
        if (last == 0) {
            return new Health(false, consecutiveFailures == 0 ? "starting: no query answered yet"
                    : "failing since start: " + lastProblem);
        }
        long age = clock.millis() - last;
        double lag = watermarkLagSeconds.getAsDouble();
        String lagText = Double.isNaN(lag) ? "" : String.format(Locale.ROOT, ", watermark lag %.0f s", lag);
        if (consecutiveFailures >= 3 && age > 2 * interval.toMillis()) {
            return new Health(false, "failing (" + consecutiveFailures + " polls): " + lastProblem + "; last success "
                    + age / 1000 + " s ago" + lagText);
        }
        return new Health(true, "ok: last success " + age / 1000 + " s ago" + lagText);
    }
}
