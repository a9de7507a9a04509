package io.github.iothubexporter.logs;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.rest.Response;
import com.azure.core.util.Context;
import com.azure.monitor.query.LogsQueryClient;
import com.azure.monitor.query.models.LogsQueryOptions;
import com.azure.monitor.query.models.LogsQueryResult;
import com.azure.monitor.query.models.LogsQueryResultStatus;
import com.azure.monitor.query.models.LogsTable;

import java.time.Clock;
import java.time.Duration;

/**
 * Runs one KQL query against the workspace and sorts what went wrong into the outcomes the poller retries on
 * (429, PartialError, 5xx, timeouts and network errors). Synchronous: call it only from the poller's own thread,
 * never from a Vert.x event loop.
 */
final class QueryRunner {
    private final LogsQueryClient client;
    private final String workspaceId;
    private final Duration queryTimeout;
    private final LogAnalyticsMetrics metrics;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private volatile long lastSuccessMillis;

    QueryRunner(LogsQueryClient client, String workspaceId, Duration queryTimeout, LogAnalyticsMetrics metrics,
                RetryPolicy retryPolicy, Clock clock) {
        this.client = client;
        this.workspaceId = workspaceId;
        this.queryTimeout = queryTimeout;
        this.metrics = metrics;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
    }

    /** When a query last returned a complete result; 0 before the first. */
    long lastSuccessMillis() {
        return lastSuccessMillis;
    }

    /** Runs one query; a complete result, or a {@link QueryFailure} saying what to do next. */
    LogsTable run(String kql) throws QueryFailure {
        long t0 = System.nanoTime();
        LogAnalyticsMetrics.Outcome outcome = LogAnalyticsMetrics.Outcome.ERROR;
        try {
            Response<LogsQueryResult> response = client.queryWorkspaceWithResponse(workspaceId, kql, null,
                    new LogsQueryOptions().setServerTimeout(queryTimeout), Context.NONE);
            LogsQueryResult result = response.getValue();
            LogsQueryResultStatus status = result.getQueryResultStatus();
            if (status == LogsQueryResultStatus.PARTIAL_FAILURE || result.getError() != null) {
                outcome = LogAnalyticsMetrics.Outcome.PARTIAL;
                String detail = result.getError() == null ? "partial result"
                        : result.getError().getCode() + ": " + result.getError().getMessage();
                throw new QueryFailure(outcome, null, "incomplete result (" + detail + "); nothing of it is used");
            }
            if (result.getAllTables() == null || result.getAllTables().isEmpty()) {
                throw new QueryFailure(outcome, null, "the answer holds no table");
            }
            outcome = LogAnalyticsMetrics.Outcome.SUCCESS;
            long now = clock.millis();
            lastSuccessMillis = now;
            metrics.success(now);
            return result.getAllTables().get(0);
        } catch (HttpResponseException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
            if (status == 429) {
                outcome = LogAnalyticsMetrics.Outcome.THROTTLED;
                Duration retryAfter = retryPolicy.retryAfter(e.getResponse().getHeaders());
                throw new QueryFailure(outcome, retryAfter, "throttled (429)" + (retryAfter == null ? ""
                        : ", Retry-After " + retryAfter.toMillis() + " ms"));
            }
            throw new QueryFailure(outcome, null, (status == 0 ? "" : "HTTP " + status + ": ") + brief(e.getMessage()));
        } catch (QueryFailure f) {
            throw f;
        } catch (RuntimeException e) {
            // timeouts, connection failures, authentication (the credential chain), deserialization
            throw new QueryFailure(outcome, null, brief(describe(e)));
        } finally {
            metrics.query(outcome, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e.getClass().getSimpleName() + ": " + root;
    }

    private static String brief(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ');
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }

    /** A query that must be retried later; {@code retryAfter} when the service said when. */
    static final class QueryFailure extends Exception {
        final LogAnalyticsMetrics.Outcome outcome;
        final Duration retryAfter;

        QueryFailure(LogAnalyticsMetrics.Outcome outcome, Duration retryAfter, String message) {
            super(message, null, false, false);
            this.outcome = outcome;
            this.retryAfter = retryAfter;
        }
    }
}
