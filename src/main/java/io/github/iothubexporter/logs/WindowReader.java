package io.github.iothubexporter.logs;

import com.azure.monitor.query.models.LogsTable;
import com.azure.monitor.query.models.LogsTableRow;
import io.github.iothubexporter.ingest.RejectReason;
import io.github.iothubexporter.logs.LeaseHandover.NotLeading;
import io.github.iothubexporter.logs.LogAnalyticsPoller.Tally;
import io.github.iothubexporter.logs.PollPosition.CommitFailure;
import io.github.iothubexporter.logs.QueryRunner.QueryFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads one poll's window of ingestion time. First the overlap check: seconds below the cursor where the service now
 * holds more records than were counted (records that became queryable late) are read again. Then [cursor, now) page
 * by page, oldest ingestion first; each page is committed before its new records are handed on, so a record is
 * counted once however the poll ends. Also sizes the pages: halved after a partial result (often a truncation),
 * doubled back after each successful poll.
 */
final class WindowReader {
    // the poller's logger: operators filter on it, and the split into classes should not change that
    private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsPoller.class);
    static final int MAX_REPAIR_SECONDS = 200;
    private static final int MIN_PAGE = 500;
    private static final int MAX_ROWS_PER_REQUEST = 500_000; // the service's own row limit

    private final KqlQueries queries;
    private final QueryRunner runner;
    private final PollPosition position;
    private final LeaseHandover handover; // null without a lease
    private final LogAnalyticsMetrics metrics;
    private final ConnectionLogListener listener;
    private final BiConsumer<RejectReason, Integer> rejects;
    private final ConnectionLogParser parser = new ConnectionLogParser();
    private final int maxRows;
    private int pageSize;

    WindowReader(KqlQueries queries, QueryRunner runner, PollPosition position, LeaseHandover handover,
                 LogAnalyticsMetrics metrics, ConnectionLogListener listener, BiConsumer<RejectReason, Integer> rejects,
                 int maxRows) {
        this.queries = queries;
        this.runner = runner;
        this.position = position;
        this.handover = handover;
        this.metrics = metrics;
        this.listener = listener;
        this.rejects = rejects;
        this.maxRows = maxRows;
        this.pageSize = maxRows;
    }

    /** The overlap check, then every page of [cursor, hi). */
    void read(long hi, Tally tally) throws QueryFailure, CommitFailure, NotLeading {
        long[] repair = overlapCheck();
        fetchWindow(hi, repair, tally);
    }

    /** After a successful poll: recover from a partial result's halving. */
    void pollSucceeded() {
        pageSize = Math.min(maxRows, pageSize * 2);
    }

    /** After a partial result: ask for less, since partial results are often truncation. */
    void partialResult() {
        pageSize = Math.max(Math.min(MIN_PAGE, maxRows), pageSize / 2);
    }

    /** Seconds of [max(C − overlap, floor), C) where the service now holds more rows than were counted. */
    private long[] overlapCheck() throws QueryFailure {
        long cursor = position.cursor();
        long lo = Math.max(cursor - position.overlapTicks(), position.floor());
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
        long[] local = position.seen().countBySecond(lo, cursor);
        Map<Long, Long> counted = new HashMap<>();
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
        long fresh = position.cursor();
        long[] filter = repair.length > MAX_REPAIR_SECONDS ? new long[0] : repair; // too many: re-read the whole range
        long pageLo = repair.length > 0 ? repair[0] : fresh;
        long pageHi = hi;
        int take = pageSize;
        String[] v = new String[KqlQueries.FETCH_COLUMNS.size()];
        while (true) {
            List<LogsTableRow> rows = runner.run(queries.fetch(pageLo, pageHi, fresh, pageLo < fresh ? filter : new long[0], take)).getRows();
            tally.pages++;
            List<ConnectionLogRecord> fresher = new ArrayList<>();
            Map<RejectReason, Integer> rejected = new EnumMap<>(RejectReason.class);
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
                if (!position.seen().add(SeenRecords.key(v), tick)) {
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
            commitAndDeliver(readUpTo >= fresh ? readUpTo : position.cursor(), fresher, lateInPage, rejected, tally);
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
        if (handover != null) {
            handover.checkLeading(tally.term);
        }
        position.advanceTo(newCursor);
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
                listener.onRecords(records, LogAnalyticsPoller.SOURCE);
            } catch (RuntimeException e) {
                LOG.error("A Connections record listener failed; the records stay counted as read", e);
            }
        }
    }
}
