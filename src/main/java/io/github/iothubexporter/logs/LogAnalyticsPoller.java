package io.github.iothubexporter.logs;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.monitor.query.LogsQueryClient;
import com.azure.monitor.query.LogsQueryClientBuilder;
import com.azure.monitor.query.models.LogsTable;
import com.azure.monitor.query.models.LogsTableRow;
import io.github.iothubexporter.ingest.RejectReason;
import io.github.iothubexporter.logs.QueryRunner.QueryFailure;
import io.github.iothubexporter.state.StateWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 */
public final class LogAnalyticsPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsPoller.class);
    public static final String SOURCE = "loganalytics";
    static final int MAX_REPAIR_SECONDS = 200;
    private static final int MIN_PAGE = 500;
    private static final int MAX_ROWS_PER_REQUEST = 500_000; // the service's own row limit
    private static final byte POSITION_FORMAT = 1;

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
    private final StateWriter writer;
    private final ConnectionLogListener listener;
    private final LogAnalyticsMetrics metrics;
    private final BiConsumer<RejectReason, Integer> rejects;
    private final Clock clock;
    private final KqlQueries queries;
    private final ConnectionLogParser parser = new ConnectionLogParser();
    private final String cursorKey;
    private final String slotPrefix;
    private final long overlapTicks;
    private final LeaderLease lease;
    private final RetryPolicy retryPolicy;
    private final QueryRunner runner;
    private static final int SHARED_MAGIC = 0x4C415731; // "LAW1"

    // position (owned by whichever thread runs pollOnce; pollOnce is synchronized)
    private boolean loaded;
    private long cursor;
    private long floor;
    private SeenRecords seen = new SeenRecords();
    private volatile long cursorMillis = Long.MIN_VALUE;
    private int pageSize;
    private long syncedTerm = -1; // the lease term whose shared position has been merged into this one

    // health
    private volatile int consecutiveFailures;
    private volatile String lastProblem = "no query yet";
    private volatile boolean running;
    private Thread thread;
    private final Object sleepLock = new Object();
    private boolean wakeup; // guarded by sleepLock

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
        this.writer = writer;
        this.listener = listener;
        this.rejects = rejects;
        this.clock = clock;
        this.queries = new KqlQueries(settings.hubs());
        this.retryPolicy = new RetryPolicy(settings.backoffBase(), settings.backoffMax(), settings.retryAfterMax(), clock);
        this.overlapTicks = settings.overlap().toMillis() * Ticks.PER_MILLI;
        this.pageSize = settings.maxRows();
        this.cursorKey = "loganalytics/" + settings.workspaceId() + "/cursor";
        this.slotPrefix = "loganalytics/" + settings.workspaceId() + "/seen/";
        this.metrics = new LogAnalyticsMetrics(registry, settings.workspaceId(), this::watermarkLagSeconds,
                () -> lease == null || lease.leading() ? 1 : 0);
        this.runner = new QueryRunner(client, settings.workspaceId(), settings.queryTimeout(), metrics, retryPolicy, clock);
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
        long c = cursorMillis;
        return c == Long.MIN_VALUE ? Double.NaN : Math.max(0, clock.millis() - c) / 1000.0;
    }

    /** Starts polling on a thread of its own: at once, then every interval (sooner after a short page run). */
    public void start() {
        LOG.info("Log Analytics poller starting: workspace {}, every {}, overlap {}, {} rows a page{}", settings.workspaceId(),
                settings.interval(), settings.overlap(), settings.maxRows(),
                settings.hubs().isEmpty() ? "" : ", hubs " + settings.hubs());
        running = true;
        thread = new Thread(this::loop, "loganalytics-poller");
        thread.setDaemon(true);
        thread.start();
        if (lease != null) {
            lease.start(this::wake);
        }
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
            PollResult r = pollOnce();
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
                delay = settings.interval().minusNanos(System.nanoTime() - started);
            } else {
                failures++;
                delay = r.retryAfter() != null ? r.retryAfter() : retryPolicy.backoff(failures);
                LOG.warn("Log Analytics poll failed ({}): {}; retrying in {} ms", r.outcome().label, r.problem(), delay.toMillis());
            }
            sleep(delay);
        }
    }

    /** Ends the current wait early (the lease was gained or lost). */
    private void wake() {
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

    public Health health() {
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
        double lag = watermarkLagSeconds();
        String lagText = Double.isNaN(lag) ? "" : String.format(java.util.Locale.ROOT, ", watermark lag %.0f s", lag);
        if (consecutiveFailures >= 3 && age > 2 * settings.interval().toMillis()) {
            return new Health(false, "failing (" + consecutiveFailures + " polls): " + lastProblem + "; last success "
                    + age / 1000 + " s ago" + lagText);
        }
        return new Health(true, "ok: last success " + age / 1000 + " s ago" + lagText);
    }

    /**
     * One poll: the overlap check, then every page of the new window. Never throws; the result says what
     * happened. Public for tests and benchmarks; the poller's own thread calls it on its schedule.
     */
    public synchronized PollResult pollOnce() {
        Tally tally = new Tally();
        long term = 0;
        try {
            if (lease != null) {
                term = lease.term();
                if (!lease.leading(term)) {
                    throw new NotLeading();
                }
                if (syncedTerm != term) {
                    loaded = false; // a new term: another replica may have moved the position since this one was loaded
                }
            }
            if (!loaded) {
                load();
            }
            if (lease != null && syncedTerm != term) {
                adoptShared(term);
                syncedTerm = term;
            }
            tally.term = term;
            long hi = Ticks.floorSecond(Ticks.ofMillis(clock.millis()));
            if (cursor == 0) {
                cursor = hi - Ticks.ofMillis(settings.startLookback().toMillis());
                floor = cursor;
                seen = new SeenRecords();
                commit();
                cursorMillis = Ticks.toMillis(cursor);
                LOG.info("Log Analytics: no saved position for workspace {}; starting at ingestion time {}",
                        settings.workspaceId(), java.time.Instant.ofEpochMilli(Ticks.toMillis(cursor)));
            }
            if (hi > cursor) {
                long[] repair = overlapCheck(tally);
                fetchWindow(hi, repair, tally);
            }
            consecutiveFailures = 0;
            lastProblem = "";
            pageSize = Math.min(settings.maxRows(), pageSize * 2); // recover from a partial result's halving
            if (lease != null) {
                share(term);
            }
            return tally.result(LogAnalyticsMetrics.Outcome.SUCCESS, null, null);
        } catch (NotLeading e) {
            loaded = false; // keys of an uncommitted page may be in memory; the next term reloads and merges anyway
            syncedTerm = -1;
            LOG.info("Log Analytics: not the leader (any more); nothing more of this poll is counted");
            return tally.standby();
        } catch (QueryFailure f) {
            consecutiveFailures++;
            lastProblem = f.getMessage();
            if (f.outcome == LogAnalyticsMetrics.Outcome.PARTIAL) {
                pageSize = Math.max(Math.min(MIN_PAGE, settings.maxRows()), pageSize / 2);
            }
            return tally.result(f.outcome, f.retryAfter, f.getMessage());
        } catch (CommitFailure e) {
            consecutiveFailures++;
            lastProblem = e.getMessage();
            loaded = false; // in-memory position may be ahead of the durable one: reload it
            return tally.result(LogAnalyticsMetrics.Outcome.ERROR, null, e.getMessage());
        } catch (RuntimeException e) {
            consecutiveFailures++;
            lastProblem = e.toString();
            loaded = false;
            LOG.error("Log Analytics poll failed unexpectedly", e);
            return tally.result(LogAnalyticsMetrics.Outcome.ERROR, null, e.toString());
        }
    }

    /** Seconds of [max(C − overlap, floor), C) where the service now holds more rows than were counted. */
    private long[] overlapCheck(Tally tally) throws QueryFailure {
        long lo = Math.max(cursor - overlapTicks, floor);
        if (lo >= cursor) {
            return new long[0];
        }
        LogsTable table = runner.run(queries.count(lo, cursor));
        Map<Long, Long> server = new LinkedHashMap<>();
        List<LogsTableRow> rows = table.getRows();
        for (LogsTableRow row : rows) {
            ResultColumns c = ResultColumns.of(row, KqlQueries.COUNT_COLUMNS);
            long second = Ticks.parse(c.get(row, 0));
            String records = c.get(row, 1);
            if (second == Ticks.INVALID || records == null) {
                throw new QueryFailure(LogAnalyticsMetrics.Outcome.ERROR, null, "count query returned an unreadable row");
            }
            server.merge(second, Long.parseLong(records), Long::sum);
        }
        long[] local = seen.countBySecond(lo, cursor);
        Map<Long, Long> counted = new java.util.HashMap<>();
        for (int i = 0; i < local.length; i += 2) {
            counted.put(local[i], local[i + 1]);
        }
        List<Long> dirty = new ArrayList<>();
        for (Map.Entry<Long, Long> e : server.entrySet()) {
            long missing = e.getValue() - counted.getOrDefault(e.getKey(), 0L);
            if (missing > 0) {
                dirty.add(e.getKey());
            }
        }
        long[] out = dirty.stream().mapToLong(Long::longValue).sorted().toArray();
        if (out.length > 0) {
            LOG.debug("Overlap check: {} seconds below the cursor hold records not counted yet", out.length);
        }
        return out;
    }

    /**
     * Reads [start, hi) page by page, oldest ingestion first, where start is the cursor or the first second to
     * repair. After each page, everything below the page's last ingestion tick has been read; above the old
     * cursor that becomes the new cursor.
     */
    private void fetchWindow(long hi, long[] repair, Tally tally) throws QueryFailure, CommitFailure, NotLeading {
        long fresh = cursor;
        long[] filter = repair.length > MAX_REPAIR_SECONDS ? new long[0] : repair; // too many: re-read the whole range
        long pageLo = repair.length > 0 ? repair[0] : cursor;
        long pageHi = hi;
        int take = pageSize;
        String[] v = new String[KqlQueries.FETCH_COLUMNS.size()];
        while (true) {
            List<LogsTableRow> rows = runner.run(queries.fetch(pageLo, pageHi, fresh, pageLo < fresh ? filter : new long[0], take)).getRows();
            tally.pages++;
            List<ConnectionLogRecord> fresher = new ArrayList<>();
            Map<RejectReason, Integer> rejected = new java.util.EnumMap<>(RejectReason.class);
            long maxTick = Long.MIN_VALUE;
            int lateInPage = 0;
            ResultColumns cells = rows.isEmpty() ? null : ResultColumns.of(rows.get(0), KqlQueries.FETCH_COLUMNS);
            for (LogsTableRow row : rows) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = cells.get(row, i);
                }
                long tick = Ticks.parse(v[0]);
                if (tick == Ticks.INVALID) {
                    throw new QueryFailure(LogAnalyticsMetrics.Outcome.ERROR, null, "a row has no readable IngestionTime");
                }
                maxTick = Math.max(maxTick, tick);
                if (!seen.add(SeenRecords.key(v), tick)) {
                    tally.duplicates++;
                    metrics.duplicates.inc();
                    continue;
                }
                try {
                    fresher.add(parser.parseRow(v[1], v[2], v[3], v[4], v[5], v[6], v[7]));
                    if (tick < fresh) {
                        lateInPage++;
                    }
                } catch (RecordRejectedException e) {
                    tally.rejected++;
                    rejected.merge(e.reason(), 1, Integer::sum);
                    LOG.debug("Log Analytics row rejected: {}", e.getMessage());
                }
            }
            boolean full = rows.size() >= take;
            long readUpTo;
            long nextLo;
            long nextHi = hi;
            int nextTake = pageSize;
            if (!full) {
                readUpTo = pageHi;
                nextLo = pageHi;
            } else if (maxTick > pageLo) {
                readUpTo = maxTick; // rows at maxTick may continue on the next page: the key set sorts them out
                nextLo = maxTick;
            } else if (pageHi - pageLo > 1) {
                readUpTo = pageLo; // a whole page at one ingestion tick: read that tick alone, as far as the service allows
                nextLo = pageLo;
                nextHi = pageLo + 1;
                nextTake = MAX_ROWS_PER_REQUEST;
            } else {
                throw new QueryFailure(LogAnalyticsMetrics.Outcome.ERROR, null, "more than " + MAX_ROWS_PER_REQUEST
                        + " records share one ingestion time; they cannot be read in one query");
            }
            commitAndDeliver(readUpTo >= fresh ? readUpTo : cursor, fresher, lateInPage, rejected, tally);
            if (!full && pageHi >= hi) {
                return;
            }
            pageLo = nextLo;
            pageHi = nextHi;
            take = nextTake;
        }
    }

    private void commitAndDeliver(long newCursor, List<ConnectionLogRecord> records, int late,
                                  Map<RejectReason, Integer> rejected, Tally tally) throws CommitFailure, NotLeading {
        if (lease != null && !lease.leading(tally.term)) {
            throw new NotLeading(); // the lease may be another replica's by now: this page is neither saved nor counted
        }
        cursor = Math.max(cursor, newCursor);
        seen.pruneBelow(cursor - overlapTicks);
        commit();
        cursorMillis = Ticks.toMillis(cursor);
        metrics.counted.inc(records.size());
        metrics.late.inc(late);
        tally.counted += records.size();
        tally.late += late;
        int rej = rejected.values().stream().mapToInt(Integer::intValue).sum();
        if (rej > 0) {
            metrics.rejected.inc(rej);
            rejected.forEach(rejects);
        }
        if (!records.isEmpty()) {
            try {
                listener.onRecords(records, SOURCE);
            } catch (RuntimeException e) {
                LOG.error("A Connections record listener failed; the records stay counted as read", e);
            }
        }
    }

    /** Durably writes the cursor and the seen-set minutes that changed; waits for the fsync. */
    private void commit() throws CommitFailure {
        Map<String, byte[]> positions = new LinkedHashMap<>();
        seen.drainWrites().forEach((slot, value) -> positions.put(slotPrefix + slot, value));
        positions.put(cursorKey, ByteBuffer.allocate(1 + 8 * 3).put(POSITION_FORMAT).putLong(cursor).putLong(floor)
                .putLong(overlapTicks).array());
        try {
            writer.commitPositions(positions).get(60, TimeUnit.SECONDS);
            // (on failure the caller reloads the durable position, so drained writes are not lost track of)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommitFailure("interrupted while saving the Log Analytics position");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new CommitFailure("cannot save the Log Analytics position: " + cause);
        }
    }

    /** Reads the committed cursor and keys through the state writer. */
    private void load() throws CommitFailure {
        Map<String, byte[]> stored;
        try {
            stored = writer.read(store -> {
                Map<String, byte[]> m = new LinkedHashMap<>();
                byte[] c = store.meta(cursorKey);
                if (c != null) {
                    m.put(cursorKey, c);
                }
                for (int i = 0; i < SeenRecords.SLOTS; i++) {
                    byte[] s = store.meta(slotPrefix + i);
                    if (s != null) {
                        m.put(slotPrefix + i, s);
                    }
                }
                return m;
            }).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommitFailure("interrupted while reading the Log Analytics position");
        } catch (ExecutionException | TimeoutException e) {
            throw new CommitFailure("cannot read the Log Analytics position: " + (e instanceof ExecutionException ? e.getCause() : e));
        }
        seen = new SeenRecords();
        byte[] c = stored.get(cursorKey);
        if (c == null || c.length != 25 || c[0] != POSITION_FORMAT) {
            cursor = 0;
            floor = 0;
        } else {
            ByteBuffer b = ByteBuffer.wrap(c, 1, 24);
            cursor = b.getLong();
            floor = b.getLong();
            long storedOverlap = b.getLong();
            if (storedOverlap < overlapTicks) {
                // keys were kept for a shorter overlap: do not look for late records where none are remembered
                floor = Math.max(floor, cursor - storedOverlap);
            }
            for (Map.Entry<String, byte[]> e : stored.entrySet()) {
                if (e.getKey().startsWith(slotPrefix)) {
                    seen.decode(e.getValue(), cursor - Math.min(overlapTicks, storedOverlap));
                }
            }
            cursorMillis = Ticks.toMillis(cursor);
            LOG.info("Log Analytics: resuming workspace {} at ingestion time {} ({} recent records remembered)",
                    settings.workspaceId(), java.time.Instant.ofEpochMilli(cursorMillis), seen.size());
        }
        loaded = true;
    }

    /**
     * Merges the position the last leader left in the lease blob into this replica's (at the start of each term): the
     * later cursor wins, with the floor that goes with it, and the counted keys of both are kept, so the overlap check
     * neither re-counts what the other replica counted nor looks for late records where no keys are known. The result
     * is committed here before anything is counted.
     */
    private void adoptShared(long term) throws CommitFailure {
        LeaderLease.Content content;
        try {
            content = lease.read();
        } catch (IllegalStateException e) {
            throw new CommitFailure(e.getMessage());
        }
        Shared shared = content == null ? null : Shared.decode(content.data(), settings.workspaceId());
        if (shared == null) {
            LOG.info("Log Analytics: leader for workspace {} (term {}); no shared position in the lease blob yet, so this "
                    + "replica's own is used", settings.workspaceId(), term);
            return;
        }
        long own = cursor;
        if (shared.cursor > cursor) {
            cursor = shared.cursor;
            floor = Math.max(shared.floor, shared.cursor - Math.min(shared.overlapTicks, overlapTicks));
            seen.pruneBelow(cursor - overlapTicks);
        }
        long cutoff = cursor - Math.min(overlapTicks, shared.overlapTicks);
        for (byte[] bucket : shared.buckets) {
            seen.merge(bucket, cutoff);
        }
        commit();
        cursorMillis = Ticks.toMillis(cursor);
        LOG.info("Log Analytics: leader for workspace {} (term {}); starting at ingestion time {} (own position {}, shared {})",
                settings.workspaceId(), term, java.time.Instant.ofEpochMilli(cursorMillis),
                own == 0 ? "none" : java.time.Instant.ofEpochMilli(Ticks.toMillis(own)),
                java.time.Instant.ofEpochMilli(Ticks.toMillis(shared.cursor)));
    }

    /** Leaves this position in the lease blob for the next leader; a failure only costs the next leader some repeats. */
    private void share(long term) {
        byte[] data = Shared.encode(settings.workspaceId(), cursor, floor, overlapTicks, seen.encodeAll());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("workspace", settings.workspaceId());
        metadata.put("watermark", java.time.Instant.ofEpochMilli(Ticks.toMillis(cursor)).toString());
        metadata.put("holder", HOLDER);
        try {
            lease.write(term, data, metadata);
        } catch (LeaderLease.LostLease e) {
            LOG.warn("Log Analytics: the watermark could not be shared, the lease is lost ({})", e.getMessage());
        } catch (IllegalStateException e) {
            LOG.warn("Log Analytics: {}; the next leader would start from the last shared watermark", e.getMessage());
        }
    }

    /** This host's name for the lease blob's metadata (which replica wrote it last): ASCII only. */
    private static final String HOLDER = holderName();

    private static String holderName() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                h = "unknown";
            }
        }
        return h.replaceAll("[^\\x21-\\x7e]", "_");
    }

    /** The shared position's bytes: magic, workspace, cursor, floor, overlap, then the seen-set buckets. */
    private record Shared(long cursor, long floor, long overlapTicks, List<byte[]> buckets) {
        static byte[] encode(String workspace, long cursor, long floor, long overlapTicks, List<byte[]> buckets) {
            byte[] ws = workspace.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int size = 4 + 2 + ws.length + 24 + 4;
            for (byte[] b : buckets) {
                size += 4 + b.length;
            }
            ByteBuffer out = ByteBuffer.allocate(size).putInt(SHARED_MAGIC).putShort((short) ws.length).put(ws)
                    .putLong(cursor).putLong(floor).putLong(overlapTicks).putInt(buckets.size());
            for (byte[] b : buckets) {
                out.putInt(b.length).put(b);
            }
            return out.array();
        }

        /** Null for an empty blob, another format, or another workspace's position. */
        static Shared decode(byte[] data, String workspace) {
            if (data == null || data.length < 4 + 2 + 24 + 4) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(data);
                if (in.getInt() != SHARED_MAGIC) {
                    return null;
                }
                byte[] ws = new byte[in.getShort() & 0xffff];
                in.get(ws);
                if (!new String(ws, java.nio.charset.StandardCharsets.UTF_8).equals(workspace)) {
                    LOG.warn("Log Analytics: the lease blob holds the position of another workspace; not used");
                    return null;
                }
                long cursor = in.getLong();
                long floor = in.getLong();
                long overlap = in.getLong();
                int n = in.getInt();
                List<byte[]> buckets = new ArrayList<>(Math.min(Math.max(n, 0), SeenRecords.SLOTS));
                for (int i = 0; i < n; i++) {
                    byte[] b = new byte[in.getInt()];
                    in.get(b);
                    buckets.add(b);
                }
                return cursor > 0 ? new Shared(cursor, floor, overlap, buckets) : null;
            } catch (RuntimeException e) {
                LOG.warn("Log Analytics: the lease blob's position is unreadable ({}); not used", e.toString());
                return null;
            }
        }
    }

    /** Stops polling; an in-flight query is abandoned (its page is not committed). */
    @Override
    public void close() {
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
        if (lease != null) {
            lease.close(); // after the loop has stopped: released, so another replica takes over at its next attempt
        }
    }

    private static final class Tally {
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

    /** This replica does not hold the lease (or not in the term the poll started in). */
    static final class NotLeading extends Exception {
        NotLeading() {
            super("not the leader", null, false, false);
        }
    }

    /** The position could not be saved or read: nothing of the page is handed on. */
    static final class CommitFailure extends Exception {
        CommitFailure(String message) {
            super(message, null, false, false);
        }
    }
}
