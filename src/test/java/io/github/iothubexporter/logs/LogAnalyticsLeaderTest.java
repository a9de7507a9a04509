package io.github.iothubexporter.logs;

import com.azure.core.credential.TokenCredential;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.monitor.query.LogsQueryClient;
import io.github.iothubexporter.export.MetricsHandler;
import io.github.iothubexporter.ingest.Azurite;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.github.iothubexporter.app.RunningExporter.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two pollers, each with its own durable state, elect a leader through a blob lease on Azurite and hand the position
 * over through the lease blob: across several fail-overs, with records that become queryable minutes late, every
 * record is counted exactly once by one replica or the other.
 */
class LogAnalyticsLeaderTest {
    static final String WORKSPACE = LogAnalyticsPollerTest.WORKSPACE;
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    /** Pages of 200 rows; a server timeout long enough for the test's slow query. */
    static final LogAnalyticsPoller.Settings SETTINGS = new LogAnalyticsPoller.Settings(WORKSPACE, Duration.ofSeconds(60),
            Duration.ofMinutes(5), Duration.ofSeconds(10), 200, Duration.ofHours(1), List.of(), Duration.ofMillis(100),
            Duration.ofSeconds(2), Duration.ofSeconds(10));
    static FakeIdentityEndpoint identity;
    static TokenCredential credential;

    @TempDir
    Path dir;
    Azurite azurite;
    MutableClock clock;
    FakeLogAnalytics service;
    LogsQueryClient client;
    final List<ConnectionLogRecord> delivered = new CopyOnWriteArrayList<>();
    Replica a;
    Replica b;

    @BeforeAll
    static void identity() throws Exception {
        identity = FakeIdentityEndpoint.fromEnvironment();
        credential = new DefaultAzureCredentialBuilder().build();
    }

    @AfterAll
    static void stopIdentity() throws Exception {
        identity.close();
    }

    @BeforeEach
    void start() throws Exception {
        azurite = new Azurite(dir.resolve("azurite"));
        clock = new MutableClock(T0);
        service = new FakeLogAnalytics(WORKSPACE, FakeIdentityEndpoint.PROCESS_TOKEN, clock::millis);
        client = LogAnalyticsPoller.client(service.endpoint(), credential, TestTls.get().sdkHttpClient());
    }

    @AfterEach
    void stop() throws Exception {
        for (Replica r : new Replica[]{a, b}) {
            if (r != null) {
                r.close();
            }
        }
        service.close();
        azurite.close();
    }

    /** One replica: its own state directory and writer; a poller with a lease of its own, restartable. */
    final class Replica implements AutoCloseable {
        final String name;
        final StateWriter writer;
        final List<ConnectionLogRecord> mine = new CopyOnWriteArrayList<>();
        LeaderLease lease;
        LogAnalyticsPoller poller;
        CollectorRegistry registry;

        Replica(String name) throws Exception {
            this.name = name;
            writer = new StateWriter(new StateWriter.Options(dir.resolve(name), true, Duration.ofHours(1), 64L << 20, 64),
                    new StateStore(10, new CriticalDevices(List.of()), 0), clock);
            writer.recover();
            writer.start();
            startPoller();
        }

        /** A new lease (new lease ID, as a restarted process has) and a new poller over the same durable state. */
        void startPoller() {
            lease = new LeaderLease(new LeaderLease.Settings(azurite.connectionString(), "leases", "loganalytics-poller.lease",
                    Duration.ofSeconds(15)));
            lease.start(() -> { }); // the test drives pollOnce itself
            registry = new CollectorRegistry(true);
            poller = new LogAnalyticsPoller(SETTINGS, client, writer, (records, source) -> {
                mine.addAll(records);
                delivered.addAll(records);
            }, registry, (reason, n) -> { }, clock, lease);
        }

        double leaderGauge() {
            return sample(MetricsHandler.render(registry, TextFormat.CONTENT_TYPE_004), "iothub_loganalytics_leader",
                    "workspace", WORKSPACE);
        }

        @Override
        public void close() throws Exception {
            poller.close();
            writer.close();
        }
    }

    @Test
    void onlyTheLeaderPollsAndEachFailOverContinuesFromTheSharedPosition() throws Exception {
        // 1,500 records over 40 minutes from T0 − 10 min, ingested 5 s to 40 min late, a tenth queryable only up to
        // 4 minutes after their ingestion time, one batch of 100 sharing an ingestion tick (pages are 200 rows)
        service.addAll(LateArrivalDataset.generate(11, T0.minusSeconds(600), Duration.ofMinutes(40), 1500,
                new String[]{"hub-a", "hub-b"}, 100));
        a = new Replica("a");
        b = new Replica("b");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.lease.attempted() && b.lease.attempted()
                && (a.lease.leading() ^ b.lease.leading()));
        Replica leader = a.lease.leading() ? a : b;
        Replica standby = leader == a ? b : a;

        int failovers = 0;
        int standbyPolls = 0;
        int late = 0;
        for (int round = 1; clock.instant().isBefore(T0.plus(Duration.ofMinutes(80))); round++) {
            clock.advance(Duration.ofSeconds(45));
            int requests = service.requests.size();
            LogAnalyticsPoller.PollResult idle = standby.poller.pollOnce();
            assertThat(idle.standby()).as("round %d: %s is standby", round, standby.name).isTrue();
            assertThat(service.requests).as("a standby sends no query").hasSize(requests);
            assertThat(standby.poller.health().ready()).isTrue();
            assertThat(standby.poller.health().detail()).startsWith("standby");
            assertThat(standby.leaderGauge()).isZero();
            standbyPolls++;

            LogAnalyticsPoller.PollResult r = leader.poller.pollOnce();
            assertThat(r.ok()).as("round %d, leader %s: %s", round, leader.name, r.problem()).isTrue();
            assertThat(leader.leaderGauge()).isEqualTo(1);
            late += r.late();

            if (round % 12 == 0 && failovers < 4) {
                // the leader stops cleanly (releasing the lease) and restarts as a standby; the other takes over at its
                // next attempt and must start from the position the old leader left in the blob
                leader.poller.close();
                Replica next = standby;
                await().atMost(Duration.ofSeconds(10)).until(next.lease::leading);
                leader.startPoller();
                await().atMost(Duration.ofSeconds(10)).until(leader.lease::attempted);
                standby = leader;
                leader = next;
                failovers++;
            }
        }
        assertThat(failovers).isEqualTo(4);
        assertThat(standbyPolls).isPositive();
        assertThat(late).as("records found late by the overlap check").isPositive();
        assertThat(a.mine).as("counted by a").isNotEmpty();
        assertThat(b.mine).as("counted by b").isNotEmpty();
        assertExactlyOnce();
        assertThat(delivered).hasSize(1500);
    }

    @Test
    void aLeaderThatLosesTheLeaseDuringAQueryCommitsAndCountsNothingOfIt() throws Exception {
        service.addAll(LateArrivalDataset.generate(12, T0.plusSeconds(60), Duration.ofMinutes(10), 150, new String[]{"hub-a"}, 0));
        a = new Replica("a");
        await().atMost(Duration.ofSeconds(10)).until(a.lease::leading);
        b = new Replica("b");
        await().atMost(Duration.ofSeconds(10)).until(b.lease::attempted);
        assertThat(a.poller.pollOnce().ok()).isTrue(); // the first position, shared
        assertThat(a.mine).isEmpty();

        clock.advance(Duration.ofMinutes(60)); // every record is queryable now
        int before = service.arrivals.get();
        service.fault(new FakeLogAnalytics.Slow(3000)); // the poll's first query takes 3 s
        var poll = java.util.concurrent.CompletableFuture.supplyAsync(a.poller::pollOnce);
        await().atMost(Duration.ofSeconds(5)).until(() -> service.arrivals.get() > before);
        a.lease.close(); // the lease ends while the query runs (as when a renew fails)
        LogAnalyticsPoller.PollResult r = poll.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.standby()).as(r.toString()).isTrue();
        assertThat(service.requests("fetch")).as("the answer came, with rows").anySatisfy(q -> assertThat(q.rows()).isPositive());
        assertThat(a.mine).as("counted by the replica that lost the lease").isEmpty();
        assertThat(a.leaderGauge()).isZero();

        // the other replica takes over from the shared position and counts every record, once
        await().atMost(Duration.ofSeconds(10)).until(b.lease::leading);
        assertThat(b.poller.pollOnce().ok()).isTrue();
        assertThat(b.mine).hasSize(150);
        assertExactlyOnce();
    }

    /** Every row visible by now delivered exactly once by one replica or the other, nothing else. */
    void assertExactlyOnce() {
        Map<String, Integer> times = new HashMap<>();
        delivered.forEach(r -> times.merge(LateArrivalDataset.key(r), 1, Integer::sum));
        List<String> twice = times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        assertThat(twice).as("records counted more than once").isEmpty();
        List<String> expected = service.rows().stream().filter(r -> r.visibleAtMillis() <= clock.millis()
                        && r.ingestTicks() < Ticks.floorSecond(Ticks.ofMillis(clock.millis())))
                .map(LateArrivalDataset::key).toList();
        assertThat(times.keySet()).as("counted records").containsExactlyInAnyOrderElementsOf(expected);
    }
}
