package io.github.iothubexporter.app;

import io.github.iothubexporter.ingest.Azurite;
import io.github.iothubexporter.ingest.TcpProxy;
import io.github.iothubexporter.logs.FakeIdentityEndpoint;
import io.github.iothubexporter.logs.FakeLogAnalytics;
import io.github.iothubexporter.logs.LateArrivalDataset;
import io.github.iothubexporter.logs.TestTls;
import io.vertx.core.json.JsonObject;
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

import static io.github.iothubexporter.app.LogAnalyticsAppTest.WORKSPACE;
import static io.github.iothubexporter.app.LogAnalyticsAppTest.total;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two exporters with Log Analytics configured and a leader lease on Azurite (15 s, the shortest Azure allows): only the
 * lease holder polls; when it cannot reach the storage account it stops before its lease can expire, and the other
 * takes over after the expiry from the watermark the first one shared; a clean stop hands over within a renew interval.
 * Each replica has its own local Log Analytics (same rows), so the test sees which replica sent which query, and its
 * own link to Azurite, which the test can cut.
 */
class LogAnalyticsReplicasTest {
    static FakeIdentityEndpoint identity;
    @TempDir
    Path dir;
    Azurite azurite;
    final Map<String, Replica> replicas = new HashMap<>();

    /** One exporter, its Log Analytics, its link to the storage account. */
    record Replica(String name, RunningExporter exporter, FakeLogAnalytics service, TcpProxy link) {
        double counted() throws Exception {
            return total(exporter.metrics(), "iothub_connection_log_records_total");
        }

        double leader() throws Exception {
            return exporter.metric("iothub_loganalytics_leader", "workspace", WORKSPACE);
        }

        JsonObject readiness() throws Exception {
            var r = exporter.get("/readyz");
            return new JsonObject(r.body()).put("status", r.statusCode());
        }
    }

    @BeforeAll
    static void identity() throws Exception {
        identity = FakeIdentityEndpoint.fromEnvironment();
    }

    @AfterAll
    static void stopIdentity() throws Exception {
        identity.close();
    }

    @BeforeEach
    void start() throws Exception {
        azurite = new Azurite(dir.resolve("azurite"));
    }

    @AfterEach
    void stop() throws Exception {
        replicas.values().parallelStream().forEach(r -> r.exporter().close());
        for (Replica r : replicas.values()) {
            r.service().close();
            r.link().close();
        }
        azurite.close();
    }

    private Replica replica(String name, List<FakeLogAnalytics.Row> rows) throws Exception {
        FakeLogAnalytics service = new FakeLogAnalytics(WORKSPACE, FakeIdentityEndpoint.PROCESS_TOKEN, System::currentTimeMillis);
        service.addAll(rows);
        TcpProxy link = new TcpProxy(azurite.port());
        Map<String, String> env = new HashMap<>();
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_WORKSPACEID", WORKSPACE);
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_ENDPOINT", service.endpoint());
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_INTERVAL", "1s");
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_QUERYTIMEOUT", "5s");
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_LEASE_BLOBCONNECTIONSTRING", link.rewrite(azurite.connectionString()));
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_LEASE_CONTAINER", "exporter-leases");
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_LEASE_DURATION", "15s");
        Replica r = new Replica(name, new RunningExporter(dir.resolve(name), env,
                new ExporterApp.Overrides(TestTls.get().sdkHttpClient())), service, link);
        replicas.put(name, r);
        return r;
    }

    /** Records ingested (and queryable) 1.5 s from now, on both replicas' Log Analytics. */
    private void arrive(int n, String prefix) {
        Instant t = Instant.now();
        List<FakeLogAnalytics.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(LateArrivalDataset.row("hub-a", prefix + i, t.minusSeconds(60).plusMillis(i), t.plusMillis(1500),
                    t.plusMillis(1500), i % 2 == 0 ? "404104" : null, i % 2 == 0 ? null : LogAnalyticsAppTest.NODE));
        }
        replicas.values().forEach(r -> r.service().addAll(rows));
    }

    @Test
    void onlyTheLeaseHolderPollsAndTheOtherTakesOverFromTheSharedWatermark() throws Exception {
        List<FakeLogAnalytics.Row> history = LogAnalyticsAppTest.history(Instant.now(), 300, "dev-");
        Replica a = replica("a", history);
        Replica b = replica("b", history);

        // one leader counts everything; the other stands by, ready, and never queries
        await().atMost(Duration.ofSeconds(20)).until(() -> a.leader() + b.leader() == 1 && a.counted() + b.counted() == 300);
        Replica leader = a.leader() == 1 ? a : b;
        Replica standby = leader == a ? b : a;
        assertThat(standby.counted()).isZero();
        JsonObject standbyReady = standby.readiness();
        assertThat(standbyReady.getInteger("status")).as(standbyReady.encode()).isEqualTo(200);
        assertThat(standbyReady.getJsonObject("sources").getJsonObject("loganalytics").getString("detail")).startsWith("standby");
        assertThat(leader.readiness().getInteger("status")).isEqualTo(200);
        assertThat(leader.exporter().get("/").body()).contains("leader (lease blob exporter-leases/loganalytics-poller.lease");
        arrive(20, "new-");
        await().atMost(Duration.ofSeconds(10)).until(() -> leader.counted() == 320);
        assertThat(standby.service().requests).as("queries sent by the standby").isEmpty();

        // the leader's storage account becomes unreachable (requests hang): it stops at the first failed renew
        long cut = System.nanoTime();
        leader.link().cut();
        await().atMost(Duration.ofSeconds(15)).until(() -> leader.leader() == 0);
        assertThat((System.nanoTime() - cut) / 1e9).as("seconds until the holder stopped (lease: 15 s)").isLessThan(10);
        int leaderQueries = leader.service().requests.size();
        // the other takes over once the lease has expired, and continues from the shared watermark: it counts only what
        // arrives now, not the 320 records the first leader counted
        arrive(30, "after-cut-");
        await().atMost(Duration.ofSeconds(30)).until(() -> standby.leader() == 1 && standby.counted() >= 30);
        int seen = standby.service().requests.size();
        await().atMost(Duration.ofSeconds(10)).until(() -> standby.service().requests.size() >= seen + 4); // two more polls
        assertThat(standby.counted()).as("counted by the new leader").isEqualTo(30);
        assertThat(leader.counted()).as("counted by the old leader").isEqualTo(320);
        long lastOfOld = leader.service().requests.stream().mapToLong(FakeLogAnalytics.Request::atMillis).max().orElseThrow();
        long firstOfNew = standby.service().requests.stream().mapToLong(FakeLogAnalytics.Request::atMillis).min().orElseThrow();
        assertThat(lastOfOld).as("the old leader's last query precedes the new leader's first").isLessThan(firstOfNew);
        assertThat(leader.service().requests.size() - leaderQueries).as("queries after it stopped").isLessThanOrEqualTo(2);
        assertThat(standby.readiness().getInteger("status")).isEqualTo(200);

        // the link comes back: the first leader stays standby (the lease is taken) and reports ready again
        leader.link().restore();
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.readiness().getInteger("status") == 200);
        assertThat(leader.leader()).isZero();

        // the new leader stops cleanly and releases the lease: the first takes over within a renew interval (5 s) and
        // starts from the newer of its own position and the shared one
        Replica second = standby;
        double countedBySecond = second.counted();
        second.exporter().close();
        replicas.remove(second.name()).service().close();
        second.link().close();
        arrive(10, "after-stop-");
        await().atMost(Duration.ofSeconds(12)).until(() -> leader.leader() == 1 && leader.counted() >= 330);
        int now = leader.service().requests.size();
        await().atMost(Duration.ofSeconds(10)).until(() -> leader.service().requests.size() >= now + 4);
        assertThat(leader.counted()).as("counted by the first leader, leading again").isEqualTo(330);
        assertThat(leader.counted() + countedBySecond).as("every record counted once across the replicas").isEqualTo(360);
        assertThat(leader.exporter().metrics()).doesNotContain("AccountKey").doesNotContain(FakeIdentityEndpoint.PROCESS_TOKEN);
    }
}
