package io.github.iothubexporter.logs;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.monitor.query.LogsQueryClient;
import com.azure.monitor.query.LogsQueryClientBuilder;
import io.github.iothubexporter.ingest.RejectReason;
import io.github.iothubexporter.logs.LeaseHandover.NotLeading;
import io.github.iothubexporter.logs.PollPosition.CommitFailure;
import io.github.iothubexporter.logs.QueryRunner.QueryFailure;
import io.github.iothubexporter.state.StateWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Polls IoT Hub {@code Connections} records from a Log Analytics workspace (DESIGN §3.3) and hands each
 * record on exactly once, across polls, restarts and faults.
 *
 * <h2>Windows</h2>
 * Records are selected by {@code ingestion_time()}, not {@code TimeGenerated}: resource logs arrive minutes
 * late and out of order, so a TimeGenerated watermark would skip them. The durable position is a cursor C:
 * every record ingested before C has been read. A poll at time T reads [C, T) (paged, oldest first, at most
 * {@code maxRows} rows a page), then C = T. Because a record can become queryable a little after its
 * ingestion time, each poll first counts the records per ingestion second in the overlap [C − overlap, C)
 * and compares with the records counted there; seconds with more records than counted are read again, and
 * the rows not seen before are counted ("late" records). Rows are recognized by a 64-bit key over their
 * content (ingestion time included), kept for the overlap window ({@link SeenRecords}). A record that becomes
 * queryable more than {@code overlap} after its ingestion time is not seen (the service's own latency after
 * ingestion is seconds; the default overlap is 5 minutes).
 *
 * <h2>Durability</h2>
 * After each page the cursor and the changed 10-second buckets of the seen set are committed through the state
 * writer (fsync), and only then are the page's new records handed to the listener. A restart resumes at
 * the committed cursor with the committed keys: nothing is counted twice, nothing is skipped. (A crash
 * between the commit and the hand-over loses that page from the counters of a process that is gone anyway.)
 *
 * <h2>Faults</h2>
 * The SDK's own retries are off; this loop decides. 429: wait {@code Retry-After} (or back off). 5xx,
 * timeouts, network errors: exponential backoff with jitter. {@code PartialError}: the page is incomplete,
 * so nothing of it is used and it is read again after a backoff (and with half the page size, since partial
 * results are often truncation). The cursor never moves past data not seen. Queries carry a server timeout
 * ({@code Prefer: wait}); the SDK waits that plus 5 s for an answer.
 * <h2>Several replicas</h2>
 * With a {@link LeaderLease} only the lease holder polls; the others wait (standby) and take over when the holder
 * releases the lease or stops renewing it. The position travels through the lease blob: after each successful poll
 * the holder writes its cursor, floor and the keys of the overlap window there (conditional on its lease), and a replica
 * that acquires the lease starts from the later of its own durable position and the blob's, with the keys of both,
 * so records the previous leader counted are recognised. Before every commit the poller checks that it still leads in
 * the term it started under; if not, nothing of the page is committed or handed on. Records counted by a leader after
 * its last blob write and before it stopped are counted again by the next leader (at least once, bounded by one poll).
 * <p>
 * The SDK's synchronous client runs on this poller's own thread, never on a Vert.x event loop.
 *
 * <h2>Parts</h2>
 * {@link PollLoop} (the thread and its schedule), {@link WindowReader} (overlap check and pages),
 * {@link PollPosition} (cursor, floor and keys, committed through the state writer), {@link LeaseHandover} (term
 * checks and the shared position), {@link QueryRunner} and {@link RetryPolicy} (one query, and when to ask again),
 * {@link PollerHealth}. This class wires them and runs one poll.
 */
public final class LogAnalyticsPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsPoller.class);
    public static final String SOURCE = "loganalytics";

    /** What the poller needs; see docs/configuration.md for the matching keys. */
    public record Settings(String workspaceId, Duration interval, Duration overlap, Duration queryTimeout, int maxRows,
                           Duration startLookback, List<String> hubs, Duration backoffBase, Duration backoffMax,
                           Duration retryAfterMax) {
        public Settings {
            if (overlap.compareTo(Duration.ofMinutes(60)) > 0) {
                throw new IllegalArgumentException("overlap is at most 60 minutes");
            }
        }
    }

    /** Whether the poller can be counted on: for /readyz and the landing page. */
    public record Health(boolean ready, String detail) {
    }

    /** What one {@link #pollOnce} did; {@code standby}: nothing, because another replica holds the lease. */
    public record PollResult(LogAnalyticsMetrics.Outcome outcome, int pages, int counted, int duplicates, int late,
                             int rejected, Duration retryAfter, String problem, boolean standby) {
        public boolean ok() {
            return outcome == LogAnalyticsMetrics.Outcome.SUCCESS && !standby;
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final LeaderLease lease;
    // changed only by whichever thread runs pollOnce (it is synchronized)
    private final PollPosition position;
    private final LeaseHandover handover; // null without a lease
    private final WindowReader window;
    private final PollerHealth health;
    private final PollLoop loop;

    public LogAnalyticsPoller(Settings settings, LogsQueryClient client, StateWriter writer, ConnectionLogListener listener,
                              io.prometheus.client.CollectorRegistry registry, BiConsumer<RejectReason, Integer> rejects,
                              Clock clock) {
        this(settings, client, writer, listener, registry, rejects, clock, null);
    }

    /** @param lease leader election among replicas, or null for a single instance (always polls); closed by {@link #close} */
    public LogAnalyticsPoller(Settings settings, LogsQueryClient client, StateWriter writer, ConnectionLogListener listener,
                              io.prometheus.client.CollectorRegistry registry, BiConsumer<RejectReason, Integer> rejects,
                              Clock clock, LeaderLease lease) {
        this.settings = settings;
        this.lease = lease;
        this.clock = clock;
        RetryPolicy retryPolicy = new RetryPolicy(settings.backoffBase(), settings.backoffMax(), settings.retryAfterMax(), clock);
        this.position = new PollPosition(writer, settings.workspaceId(), settings.overlap().toMillis() * Ticks.PER_MILLI);
        this.handover = lease == null ? null : new LeaseHandover(lease, position, settings.workspaceId());
        LogAnalyticsMetrics metrics = new LogAnalyticsMetrics(registry, settings.workspaceId(), this::watermarkLagSeconds,
                () -> lease == null || lease.leading() ? 1 : 0);
        QueryRunner runner = new QueryRunner(client, settings.workspaceId(), settings.queryTimeout(), metrics, retryPolicy, clock);
        this.window = new WindowReader(new KqlQueries(settings.hubs()), runner, position, handover, metrics, listener, rejects,
                settings.maxRows());
        this.health = new PollerHealth(lease, runner, clock, settings.interval(), this::watermarkLagSeconds);
        this.loop = new PollLoop(this::pollOnce, lease, settings.interval(), retryPolicy);
    }

    /**
     * The SDK client: Azure AD through {@code credential} (in production a {@code DefaultAzureCredential}), no
     * SDK retries (the poller retries with its own policy), no HTTP logging of headers. {@code httpClient} null
     * keeps the SDK's default Netty client.
     */
    public static LogsQueryClient client(String endpoint, TokenCredential credential, HttpClient httpClient) {
        LogsQueryClientBuilder b = new LogsQueryClientBuilder()
                .endpoint(endpoint)
                .credential(credential)
                .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
                .httpLogOptions(new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE));
        if (httpClient != null) {
            b.httpClient(httpClient);
        }
        return b.buildClient();
    }

    /** NaN before the first position, and on a standby replica (its watermark is not the one that moves). */
    private double watermarkLagSeconds() {
        if (lease != null && !lease.leading()) {
            return Double.NaN;
        }
        long c = position.cursorMillis();
        return c == Long.MIN_VALUE ? Double.NaN : Math.max(0, clock.millis() - c) / 1000.0;
    }

    /** Starts polling on a thread of its own: at once, then every interval (sooner after a short page run). */
    public void start() {
        LOG.info("Log Analytics poller starting: workspace {}, every {}, overlap {}, {} rows a page{}", settings.workspaceId(),
                settings.interval(), settings.overlap(), settings.maxRows(),
                settings.hubs().isEmpty() ? "" : ", hubs " + settings.hubs());
        loop.start();
        if (lease != null) {
            lease.start(loop::wake);
        }
    }

    public Health health() {
        return health.health();
    }

    /**
     * One poll: the overlap check, then every page of the new window. Never throws; the result says what
     * happened. Public for tests and benchmarks; the poller's own thread calls it on its schedule.
     */
    public synchronized PollResult pollOnce() {
        Tally tally = new Tally();
        long term = 0;
        try {
            if (handover != null) {
                term = handover.currentTerm();
                if (!handover.synced(term)) {
                    position.forget(); // a new term: another replica may have moved the position since this one was loaded
                }
            }
            if (!position.loaded()) {
                position.load();
            }
            if (handover != null && !handover.synced(term)) {
                handover.adoptShared(term);
            }
            tally.term = term;
            long hi = Ticks.floorSecond(Ticks.ofMillis(clock.millis()));
            if (position.cursor() == 0) {
                position.startAt(hi - Ticks.ofMillis(settings.startLookback().toMillis()));
            }
            if (hi > position.cursor()) {
                window.read(hi, tally);
            }
            health.succeeded();
            window.pollSucceeded();
            if (handover != null) {
                handover.share(term);
            }
            return tally.result(LogAnalyticsMetrics.Outcome.SUCCESS, null, null);
        } catch (NotLeading e) {
            position.forget(); // keys of an uncommitted page may be in memory; the next term reloads and merges anyway
            handover.forget();
            LOG.info("Log Analytics: not the leader (any more); nothing more of this poll is counted");
            return tally.standby();
        } catch (QueryFailure f) {
            health.failed(f.getMessage());
            if (f.outcome == LogAnalyticsMetrics.Outcome.PARTIAL) {
                window.partialResult();
            }
            return tally.result(f.outcome, f.retryAfter, f.getMessage());
        } catch (CommitFailure e) {
            health.failed(e.getMessage());
            position.forget(); // in-memory position may be ahead of the durable one: reload it
            return tally.result(LogAnalyticsMetrics.Outcome.ERROR, null, e.getMessage());
        } catch (RuntimeException e) {
            health.failed(e.toString());
            position.forget();
            LOG.error("Log Analytics poll failed unexpectedly", e);
            return tally.result(LogAnalyticsMetrics.Outcome.ERROR, null, e.toString());
        }
    }

    /** Stops polling; an in-flight query is abandoned (its page is not committed). */
    @Override
    public void close() {
        loop.stop();
        if (lease != null) {
            lease.close(); // after the loop has stopped: released, so another replica takes over at its next attempt
        }
    }

    /** What a poll has done so far. */
    static final class Tally {
        int pages;
        int counted;
        int duplicates;
        int late;
        int rejected;
        long term;

        PollResult result(LogAnalyticsMetrics.Outcome outcome, Duration retryAfter, String problem) {
            return new PollResult(outcome, pages, counted, duplicates, late, rejected, retryAfter, problem, false);
        }

        PollResult standby() {
            return new PollResult(LogAnalyticsMetrics.Outcome.SUCCESS, pages, counted, duplicates, late, rejected, null,
                    "another replica holds the lease", true);
        }
    }
}
