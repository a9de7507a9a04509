package io.github.iothubexporter.app;

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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole service with {@code loganalytics.*} configured: DefaultAzureCredential from the process environment
 * (a local managed-identity endpoint), the real SDK over HTTPS to a local Log Analytics, the state writer holding the
 * position, metrics on /metrics and the poller's health on /readyz.
 */
class LogAnalyticsAppTest {
    static final String WORKSPACE = "9d2b7c1e-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
    static final String DOTNET = ".NET/1.42.3 (.NET 8.0.4; Linux 5.15.0-1057-azure #65-Ubuntu SMP; X64)";
    static final String NODE = "azure-iot-device/1.18.3 (node v18.19.0; Ubuntu 22.04; x64)";
    static FakeIdentityEndpoint identity;
    @TempDir
    Path dir;
    FakeLogAnalytics service;
    RunningExporter exporter;

    @BeforeAll
    static void identity() throws Exception {
        identity = FakeIdentityEndpoint.fromEnvironment();
    }

    @AfterAll
    static void stopIdentity() throws Exception {
        identity.close();
    }

    @BeforeEach
    void startService() throws Exception {
        service = new FakeLogAnalytics(WORKSPACE, FakeIdentityEndpoint.PROCESS_TOKEN, System::currentTimeMillis);
    }

    @AfterEach
    void stop() throws Exception {
        if (exporter != null) {
            exporter.close();
        }
        service.close();
    }

    RunningExporter start() throws Exception {
        return new RunningExporter(dir, Map.of(
                "IOTHUB_EXPORTER_LOGANALYTICS_WORKSPACEID", WORKSPACE,
                "IOTHUB_EXPORTER_LOGANALYTICS_ENDPOINT", service.endpoint(),
                "IOTHUB_EXPORTER_LOGANALYTICS_INTERVAL", "1s",
                "IOTHUB_EXPORTER_LOGANALYTICS_QUERYTIMEOUT", "5s"),
                new ExporterApp.Overrides(TestTls.get().sdkHttpClient()));
    }

    /** Sum of every sample of a metric (all label sets). */
    static double total(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*\\} (\\S+)$").matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** n records an hour old: connects of .NET and Node devices, and disconnect errors 401003 / 404104. */
    static List<FakeLogAnalytics.Row> history(Instant now, int n, String prefix) {
        List<FakeLogAnalytics.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant generated = now.minusSeconds(1800).plusMillis(i * 997L);
            Instant ingested = generated.plusSeconds(240 + i % 300);
            String device = prefix + (i % 40);
            boolean connect = i % 3 == 0;
            rows.add(LateArrivalDataset.row(i % 2 == 0 ? "hub-a" : "HUB-B", device, generated, ingested, ingested.plusMillis(500),
                    connect ? null : i % 3 == 1 ? "401003" : "404104", connect ? (i % 40 < 20 ? DOTNET : NODE) : null));
        }
        return rows;
    }

    @Test
    void pollsCountsAndReportsReadinessAcrossRestarts() throws Exception {
        Instant now = Instant.now();
        service.addAll(history(now, 300, "dev-"));
        exporter = start();
        await().atMost(Duration.ofSeconds(20)).until(() -> total(exporter.metrics(), "iothub_connection_log_records_total") == 300);
        String m = exporter.metrics();
        assertThat(total(m, "iothub_connection_errors_total")).isEqualTo(200);
        assertThat(RunningExporter.sample(m, "iothub_connection_errors_total", "hub", "hub-b", "code", "401003",
                "name", "IoTHubUnauthorized", "kind", "unknown", "protocol", "Mqtt")).isPositive();
        assertThat(RunningExporter.sample(m, "iothub_devices_by_sdk", "hub", "hub-a", "sdk", "dotnet", "sdk_version", "1.42",
                "protocol", "Mqtt")).isPositive();
        assertThat(total(m, "iothub_devices_by_sdk")).isEqualTo(40);
        assertThat(RunningExporter.sample(m, "iothub_loganalytics_queries_total", "workspace", WORKSPACE, "outcome", "success")).isPositive();
        assertThat(RunningExporter.sample(m, "iothub_loganalytics_watermark_lag_seconds", "workspace", WORKSPACE)).isLessThan(30);
        var ready = exporter.get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ready.body()).getJsonObject("sources").getJsonObject("loganalytics").getBoolean("ready")).isTrue();
        assertThat(exporter.get("/").body()).contains("loganalytics: <b>ready</b>");

        // a record ingested below the watermark that only now becomes queryable, and a new one
        Instant t = Instant.now();
        service.add(LateArrivalDataset.row("hub-a", "late-1", t.minusSeconds(200), t.minusSeconds(20), t, "404104", null));
        service.add(LateArrivalDataset.row("hub-a", "new-1", t.minusSeconds(100), t.plusMillis(1500), t.plusMillis(1500), null, NODE));
        await().atMost(Duration.ofSeconds(20)).until(() -> total(exporter.metrics(), "iothub_connection_log_records_total") == 302);
        assertThat(RunningExporter.sample(exporter.metrics(), "iothub_loganalytics_late_records_total", "workspace", WORKSPACE)).isEqualTo(1);

        // restart: the new process counts only what it had not seen, and restores the devices by SDK
        exporter.close();
        assertThat(Files.exists(dir.resolve(ExporterApp.SDK_MAP_FILE))).isTrue();
        Instant u = Instant.now();
        service.addAll(List.of(
                LateArrivalDataset.row("hub-a", "after-1", u.minusSeconds(300), u.minusSeconds(2), u, "400027", null),
                LateArrivalDataset.row("hub-a", "after-2", u.minusSeconds(300), u.minusSeconds(2), u, null, DOTNET)));
        exporter = start();
        await().atMost(Duration.ofSeconds(20)).until(() -> total(exporter.metrics(), "iothub_connection_log_records_total") >= 2);
        Thread.sleep(2500); // a few more polls: nothing else may be counted
        m = exporter.metrics();
        assertThat(total(m, "iothub_connection_log_records_total")).isEqualTo(2);
        assertThat(RunningExporter.sample(m, "iothub_connection_errors_total", "code", "400027",
                "name", "ConnectionForcefullyClosedOnNewConnection")).isEqualTo(1);
        assertThat(total(m, "iothub_devices_by_sdk")).isEqualTo(42); // 40 + new-1 + after-2, restored and updated

        // the poller's health is part of readiness
        for (int i = 0; i < 4; i++) {
            service.fault(new FakeLogAnalytics.Status(503, "ServiceUnavailable"));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> exporter.get("/readyz").statusCode() == 503);
        assertThat(new JsonObject(exporter.get("/readyz").body()).getJsonObject("sources").getJsonObject("loganalytics")
                .getString("detail")).contains("503");
        await().atMost(Duration.ofSeconds(20)).until(() -> exporter.get("/readyz").statusCode() == 200);
        assertThat(exporter.metrics()).doesNotContain(FakeIdentityEndpoint.PROCESS_TOKEN);
    }
}
