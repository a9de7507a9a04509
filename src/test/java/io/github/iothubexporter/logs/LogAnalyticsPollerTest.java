package io.github.iothubexporter.logs;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.monitor.query.LogsQueryClient;
import io.github.iothubexporter.export.MetricsHandler;
import io.github.iothubexporter.ingest.RejectReason;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import io.github.iothubexporter.state.StateWriters;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.iothubexporter.app.RunningExporter.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The poller through the real SDK (LogsQueryClient, its Netty client, DefaultAzureCredential taking its token from a
 * local managed-identity endpoint) over real HTTPS to a local server that speaks the Log Analytics REST format.
 */
class LogAnalyticsPollerTest {
    static final String WORKSPACE = "3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b";
    static final String TOKEN = FakeIdentityEndpoint.PROCESS_TOKEN;
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static FakeIdentityEndpoint identity;
    static TokenCredential credential;

    @TempDir
    Path dir;
    MutableClock clock;
    FakeLogAnalytics service;
    LogsQueryClient client;
    StateWriter writer;
    LogAnalyticsPoller poller;
    CollectorRegistry registry;
    final List<ConnectionLogRecord> delivered = new CopyOnWriteArrayList<>();
    final Map<RejectReason, Integer> rejected = new ConcurrentHashMap<>();

    @BeforeAll
    static void identity() throws Exception {
        identity = FakeIdentityEndpoint.fromEnvironment();
        credential = new DefaultAzureCredentialBuilder().build(); // reads IDENTITY_ENDPOINT / IDENTITY_HEADER
    }

    @AfterAll
    static void stopIdentity() throws Exception {
        identity.close();
    }

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(T0);
        service = new FakeLogAnalytics(WORKSPACE, TOKEN, clock::millis);
        client = LogAnalyticsPoller.client(service.endpoint(), credential, TestTls.get().sdkHttpClient());
        writer = newWriter();
    }

    @AfterEach
    void stop() throws Exception {
        if (poller != null) {
            poller.close();
        }
        writer.close();
        service.close();
    }

    StateWriter newWriter() throws Exception {
        StateWriter w = new StateWriter(new StateWriter.Options(dir, true, Duration.ofHours(1), 64L << 20, 64),
                new StateStore(10, new CriticalDevices(List.of()), 0), clock);
        w.recover();
        w.start();
        return w;
    }

    static LogAnalyticsPoller.Settings settings(int maxRows, List<String> hubs) {
        return new LogAnalyticsPoller.Settings(WORKSPACE, Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(1),
                maxRows, Duration.ofHours(1), hubs, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    LogAnalyticsPoller newPoller(LogAnalyticsPoller.Settings s) {
        registry = new CollectorRegistry(true); // as a new process would have
        return new LogAnalyticsPoller(s, client, writer, (records, source) -> {
            assertThat(source).isEqualTo("loganalytics");
            delivered.addAll(records);
        }, registry, rejected::put, clock);
    }

    /** Every row visible by now delivered exactly once, nothing else. */
    void assertExactlyOnce() {
        Map<String, Integer> times = new HashMap<>();
        delivered.forEach(r -> times.merge(LateArrivalDataset.key(r), 1, Integer::sum));
        List<String> twice = times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        assertThat(twice).as("records delivered more than once").isEmpty();
        List<String> expected = service.rows().stream().filter(r -> r.visibleAtMillis() <= clock.millis()
                        && r.ingestTicks() < Ticks.floorSecond(Ticks.ofMillis(clock.millis())))
                .map(LateArrivalDataset::key).toList();
        assertThat(times.keySet()).as("delivered records").containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void lateArrivingRecordsAreCountedExactlyOnceAcrossPollsPagesRestartsAndFaults() throws Exception {
        // 3,000 records generated over an hour from T0 − 10 min, ingested 5 s to 40 min later, one batch of 120
        // sharing an ingestion tick (pages are 50 rows), a tenth visible only up to 4 minutes after ingestion
        service.addAll(LateArrivalDataset.generate(1, T0.minusSeconds(600), Duration.ofHours(1), 3000,
                new String[]{"hub-a", "Hub-B"}, 120));
        LogAnalyticsPoller.Settings s = settings(50, List.of());
        poller = newPoller(s);
        int late = 0;
        int duplicates = 0;
        List<FakeLogAnalytics.Fault> faults = List.of(new FakeLogAnalytics.Partial(), new FakeLogAnalytics.Throttle("1"),
                new FakeLogAnalytics.Status(500, "InternalServerError"), new FakeLogAnalytics.Status(503, "ServiceUnavailable"));
        int failed = 0;
        for (int i = 1; i <= 140; i++) {
            clock.advance(Duration.ofSeconds(45));
            if (i % 7 == 3) { // a fault on the first or a later request of this poll; the next poll catches up
                for (int skip = 0; skip < i % 3; skip++) {
                    service.fault(new FakeLogAnalytics.Slow(0)); // answered normally
                }
                service.fault(faults.get(i / 7 % faults.size()));
                failed += poller.pollOnce().ok() ? 0 : 1;
                service.clearFaults();
                continue;
            }
            LogAnalyticsPoller.PollResult r = poller.pollOnce();
            assertThat(r.ok()).as("poll %d: %s", i, r.problem()).isTrue();
            late += r.late();
            duplicates += r.duplicates();
            if (i % 20 == 0) { // a graceful restart
                poller.close();
                writer.close();
                writer = newWriter();
                poller = newPoller(s);
            } else if (i % 20 == 10) { // kill -9: only what was fsynced survives
                poller.close();
                StateWriters.crash(writer);
                writer = newWriter();
                poller = newPoller(s);
            }
        }
        assertExactlyOnce();
        assertThat(delivered).hasSize(3000);
        assertThat(failed).as("polls hit by a fault").isGreaterThan(10);
        assertThat(late).as("records found by the overlap check").isPositive();
        assertThat(duplicates).as("rows read twice (page ties, repaired seconds) and dropped").isPositive();
        assertThat(service.requests("fetch")).anySatisfy(r -> assertThat(r.query()).contains("| top 500000 by"));
        assertThat(rejected).isEmpty();
    }

    @Test
    void faultsAreRetriedAndNeverSkipOrDoubleCount() throws Exception {
        service.addAll(LateArrivalDataset.generate(2, T0.minusSeconds(300), Duration.ofMinutes(30), 800,
                new String[]{"hub-a"}, 0));
        poller = newPoller(settings(100, List.of()));
        List<FakeLogAnalytics.Fault> faults = List.of(new FakeLogAnalytics.Throttle("7"), new FakeLogAnalytics.Status(500, "InternalServerError"),
                new FakeLogAnalytics.Partial(), new FakeLogAnalytics.Status(503, "ServiceUnavailable"),
                new FakeLogAnalytics.Slow(3_000), new FakeLogAnalytics.Throttle("Sun, 01 Mar 2026 10:22:02 GMT"),
                new FakeLogAnalytics.Status(403, "InsufficientAccessError"), new FakeLogAnalytics.Throttle(null));
        Map<LogAnalyticsMetrics.Outcome, Integer> outcomes = new HashMap<>();
        List<Duration> retryAfters = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            clock.advance(Duration.ofSeconds(40));
            if (i % 6 == 3 && i / 6 < faults.size()) {
                service.fault(faults.get(i / 6));
                int before = delivered.size();
                LogAnalyticsPoller.PollResult r = poller.pollOnce();
                assertThat(r.ok()).as("poll with %s", faults.get(i / 6)).isFalse();
                assertThat(r.counted()).isZero();
                assertThat(delivered).hasSize(before); // a partial page is never used
                outcomes.merge(r.outcome(), 1, Integer::sum);
                if (r.retryAfter() != null) {
                    retryAfters.add(r.retryAfter());
                }
            } else {
                assertThat(poller.pollOnce().ok()).isTrue();
            }
        }
        assertExactlyOnce();
        assertThat(outcomes).containsEntry(LogAnalyticsMetrics.Outcome.THROTTLED, 3)
                .containsEntry(LogAnalyticsMetrics.Outcome.PARTIAL, 1)
                .containsEntry(LogAnalyticsMetrics.Outcome.ERROR, 4);
        // Retry-After in seconds, and as an HTTP date (2 s after the fake clock at that poll)
        assertThat(retryAfters).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(2));
        String m = MetricsHandler.render(registry, TextFormat.CONTENT_TYPE_004);
        assertThat(sample(m, "iothub_loganalytics_queries_total", "workspace", WORKSPACE, "outcome", "throttled")).isEqualTo(3);
        assertThat(sample(m, "iothub_loganalytics_queries_total", "outcome", "partial")).isEqualTo(1);
        assertThat(sample(m, "iothub_loganalytics_queries_total", "outcome", "error")).isEqualTo(4);
        assertThat(sample(m, "iothub_loganalytics_queries_total", "outcome", "success")).isPositive();
        assertThat(sample(m, "iothub_loganalytics_records_total", "outcome", "counted")).isEqualTo(delivered.size());
        assertThat(sample(m, "iothub_loganalytics_last_success_timestamp_seconds", "workspace", WORKSPACE))
                .isEqualTo(clock.millis() / 1000.0);
        assertThat(sample(m, "iothub_loganalytics_watermark_lag_seconds", "workspace", WORKSPACE)).isBetween(0.0, 1.0);
    }

    @Test
    void aServiceThatNeverAnswersIsTimedOutByTheClient() throws Exception {
        service.addAll(LateArrivalDataset.generate(3, T0.minusSeconds(120), Duration.ofMinutes(2), 50, new String[]{"h"}, 0));
        poller = newPoller(settings(1000, List.of()));
        assertThat(poller.pollOnce().ok()).isTrue(); // first start: position at T0 − 1 h
        clock.advance(Duration.ofMinutes(60));
        service.fault(new FakeLogAnalytics.Hang());
        long t0 = System.nanoTime();
        LogAnalyticsPoller.PollResult r = poller.pollOnce();
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.outcome()).isEqualTo(LogAnalyticsMetrics.Outcome.ERROR);
        assertThat(r.problem()).containsIgnoringCase("timeout");
        assertThat(tookMs).as("server timeout 1 s + the SDK's 5 s").isBetween(5_000L, 15_000L);
        assertThat(poller.pollOnce().ok()).isTrue();
        assertExactlyOnce();
        assertThat(delivered).hasSize(50);
    }

    @Test
    void requestsCarryTheServerTimeoutAndTheManagedIdentityToken() throws Exception {
        poller = newPoller(settings(1000, List.of("hub-a")));
        service.addAll(LateArrivalDataset.generate(4, T0.minusSeconds(1200), Duration.ofMinutes(10), 200,
                new String[]{"hub-a", "hub-b"}, 0));
        assertThat(poller.pollOnce().ok()).isTrue();
        clock.advance(Duration.ofMinutes(60));
        assertThat(poller.pollOnce().ok()).isTrue();
        assertThat(service.requests).isNotEmpty().allSatisfy(r -> {
            assertThat(r.prefer()).isEqualTo("wait=1");
            assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN);
            assertThat(r.status()).isEqualTo(200);
        });
        // the SDK asks for a token scoped to the endpoint's host
        assertThat(FakeIdentityEndpoint.ALL_RESOURCES).contains("https://127.0.0.1");
        assertThat(delivered).isNotEmpty().allSatisfy(r -> assertThat(r.hub()).isEqualTo("hub-a"));
        assertThat(delivered).hasSize((int) service.rows().stream().filter(r -> r.hub().equals("HUB-A")).count());
    }

    @Test
    void theLoopHonoursRetryAfterBacksOffAndReportsHealth() throws Exception {
        service.addAll(LateArrivalDataset.generate(5, T0.minusSeconds(3 * 3600), Duration.ofMinutes(10), 100, new String[]{"h"}, 0));
        LogAnalyticsPoller.Settings s = new LogAnalyticsPoller.Settings(WORKSPACE, Duration.ofMillis(300), Duration.ofMinutes(5),
                Duration.ofSeconds(5), 1000, Duration.ofHours(4), List.of(), Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(10));
        poller = newPoller(s);
        assertThat(poller.health().ready()).isFalse();
        assertThat(poller.health().detail()).startsWith("starting");
        service.fault(new FakeLogAnalytics.Throttle("1"));
        service.fault(new FakeLogAnalytics.Status(500, "InternalServerError"));
        service.fault(new FakeLogAnalytics.Status(502, "BadGateway"));
        poller.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> poller.health().ready());
        List<FakeLogAnalytics.Request> r = service.requests;
        assertThat(r.get(0).status()).isEqualTo(429);
        assertThat(r.get(1).atMillis() - r.get(0).atMillis()).as("Retry-After: 1").isGreaterThanOrEqualTo(950);
        assertThat(r.get(2).atMillis() - r.get(1).atMillis()).as("first backoff step").isGreaterThanOrEqualTo(45);
        assertThat(r.get(3).atMillis() - r.get(2).atMillis()).as("second backoff step").isGreaterThanOrEqualTo(95);
        await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 100); // the page is handed on after its commit
        // a service that keeps failing makes the poller unready, and ready again when it recovers
        for (int i = 0; i < 50; i++) {
            service.fault(new FakeLogAnalytics.Status(503, "ServiceUnavailable"));
        }
        AtomicInteger seen = new AtomicInteger();
        clock.advance(Duration.ofSeconds(5)); // the health check measures time since the last success on the clock
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            clock.advance(Duration.ofMillis(200));
            seen.incrementAndGet();
            return !poller.health().ready();
        });
        assertThat(poller.health().detail()).startsWith("failing").contains("503");
        service.clearFaults();
        await().atMost(Duration.ofSeconds(15)).until(() -> poller.health().ready());
    }

    @Test
    void aPositionThatCannotBeSavedHandsNothingOn() throws Exception {
        service.addAll(LateArrivalDataset.generate(6, T0.minusSeconds(600), Duration.ofMinutes(10), 100, new String[]{"h"}, 0));
        poller = newPoller(settings(1000, List.of()));
        assertThat(poller.pollOnce().ok()).isTrue();
        clock.advance(Duration.ofSeconds(200));
        assertThat(poller.pollOnce().ok()).isTrue();
        int before = delivered.size();
        writer.close(); // the state writer is gone: commits fail
        clock.advance(Duration.ofMinutes(20));
        LogAnalyticsPoller.PollResult r = poller.pollOnce();
        assertThat(r.ok()).isFalse();
        assertThat(r.problem()).contains("cannot save");
        assertThat(delivered).hasSize(before);
        writer = newWriter();
        poller.close();
        poller = newPoller(settings(1000, List.of()));
        assertThat(poller.pollOnce().ok()).isTrue();
        assertExactlyOnce();
    }
}
