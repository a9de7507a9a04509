package io.github.iothubexporter.logs;

import io.github.iothubexporter.logs.LogAnalyticsPoller.PollResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The poller's own thread (the SDK's client is synchronous, so it must not run on a Vert.x event loop): a poll at
 * once, then every interval; after a failure, when the service said ({@code Retry-After}) or after a backoff. A
 * standby replica only waits; the lease's thread wakes it when leadership changes, so a new leader starts at once.
 */
final class PollLoop {
    // the poller's logger: operators filter on it, and the split into classes should not change that
    private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsPoller.class);

    private final Supplier<PollResult> poll;
    private final LeaderLease lease; // null for a single instance
    private final Duration interval;
    private final RetryPolicy retryPolicy;
    private volatile boolean running;
    private Thread thread;
    private final Object sleepLock = new Object();
    private boolean wakeup; // guarded by sleepLock

    PollLoop(Supplier<PollResult> poll, LeaderLease lease, Duration interval, RetryPolicy retryPolicy) {
        this.poll = poll;
        this.lease = lease;
        this.interval = interval;
        this.retryPolicy = retryPolicy;
    }

    void start() {
        running = true;
        thread = new Thread(this::loop, "loganalytics-poller");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        int failures = 0;
        while (running) {
            if (lease != null && !lease.leading()) {
                // standby: woken when the lease is acquired; otherwise look again after a renew interval
                sleep(lease.settings().renewInterval());
                continue;
            }
            long started = System.nanoTime();
            PollResult r = poll.get();
            if (!running) {
                break;
            }
            if (r.standby()) {
                failures = 0;
                continue;
            }
            Duration delay;
            if (r.ok()) {
                failures = 0;
                delay = interval.minusNanos(System.nanoTime() - started);
            } else {
                failures++;
                delay = r.retryAfter() != null ? r.retryAfter() : retryPolicy.backoff(failures);
                LOG.warn("Log Analytics poll failed ({}): {}; retrying in {} ms", r.outcome().label, r.problem(), delay.toMillis());
            }
            sleep(delay);
        }
    }

    /** Ends the current wait early (the lease was gained or lost). */
    void wake() {
        synchronized (sleepLock) {
            wakeup = true;
            sleepLock.notifyAll();
        }
    }

    private void sleep(Duration d) {
        long until = System.nanoTime() + Math.max(0, d.toNanos());
        synchronized (sleepLock) {
            while (running) {
                if (wakeup) {
                    wakeup = false;
                    return;
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(sleepLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Stops the thread and waits for it; an in-flight query is abandoned (its page is not committed). */
    void stop() {
        running = false;
        synchronized (sleepLock) {
            sleepLock.notifyAll();
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
