package io.github.iothubexporter.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.iothubexporter.ops.Alertmanager;
import io.github.iothubexporter.ops.OpsFiles;
import io.github.iothubexporter.ops.Prometheus;
import io.github.iothubexporter.ops.PromqlNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations bundle end to end with the real binaries: the exporter jar on its simulator (60x speed, every
 * device critical), a real Prometheus scraping it every second with alert-rules/iothub-alerts.yml loaded, and a real
 * Alertmanager with alert-rules/alertmanager.yml. Checks that every rule evaluates without error, that every
 * dashboard query runs (and returns data where the simulator feeds its metrics), and that a simulated outage of a
 * critical device reaches Alertmanager as IoTHubCriticalDeviceOffline, routed to the pager receiver.
 */
class OpsStackIT {
    private static final String SECRET = "ops-stack-it-secret";

    @TempDir
    Path tmp;

    private ExporterProcess exporter;
    private Prometheus prometheus;
    private Alertmanager alertmanager;

    @AfterEach
    void stop() {
        if (prometheus != null) {
            Files.exists(tmp); // keep the logs next to the exporter's
            copyLog("ops-stack-prometheus.log", prometheus.logText());
            prometheus.close();
        }
        if (alertmanager != null) {
            copyLog("ops-stack-alertmanager.log", alertmanager.logText());
            alertmanager.close();
        }
        if (exporter != null && exporter.isAlive()) {
            exporter.stop();
        }
    }

    private static void copyLog(String name, String text) {
        try {
            Files.writeString(ExporterProcess.logDir().resolve(name), text);
        } catch (Exception e) {
            // diagnostics only
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void rulesEvaluateDashboardQueriesRunAndACriticalOutageReachesAlertmanager() throws Exception {
        exporter = ExporterProcess.start(new ExporterProcess.Options("ops-stack", tmp.resolve("state"), SECRET)
                .critical("*")
                .env("IOTHUB_EXPORTER_SIMULATOR_ENABLED", "true")
                .env("IOTHUB_EXPORTER_SIMULATOR_SPEED", "60")
                .env("IOTHUB_EXPORTER_SIMULATOR_DEVICES", "1000"));
        Path amDir = Files.createDirectories(tmp.resolve("am"));
        Path amConfig = amDir.resolve("alertmanager.yml");
        Files.copy(OpsFiles.file(OpsFiles.ALERTMANAGER), amConfig);
        alertmanager = Alertmanager.start(amConfig, amDir);
        prometheus = Prometheus.start("127.0.0.1:" + exporter.port(), "127.0.0.1:" + alertmanager.port(), "1s",
                Files.createDirectories(tmp.resolve("prom")));

        // 1. Prometheus scrapes the exporter under the job the rules watch
        awaitTrue("the exporter scraped", () -> prometheus.query("up{job=\"iothub-exporter\"} == 1").path("result").size() == 1);

        // 2. a simulated genuine outage of a critical device fires IoTHubCriticalDeviceOffline and reaches Alertmanager,
        //    routed by severity to the pager receiver, with its annotations rendered (including the query template)
        JsonNode alert = awaitAlert("IoTHubCriticalDeviceOffline");
        assertThat(alert.path("labels").path("severity").asText()).isEqualTo("critical");
        assertThat(alert.path("labels").path("job").asText()).isEqualTo("iothub-exporter");
        assertThat(alert.path("labels").path("hub").asText()).startsWith("contoso-sim-");
        assertThat(alert.path("receivers").toString()).contains("\"iothub-pager\"");
        assertThat(alert.path("annotations").path("description").asText())
                .startsWith("Device " + alert.path("labels").path("device").asText() + " on hub ")
                .contains("(since 20"); // the timestamp came from iothub_critical_device_state_changed_timestamp_seconds
        assertThat(alert.path("annotations").path("runbook_url").asText())
                .isEqualTo(OpsFiles.RUNBOOK_PREFIX + "IoTHubCriticalDeviceOffline.md");

        // 3. every rule has been evaluated, without an error
        List<String> unhealthy = new ArrayList<>();
        awaitTrue("every rule evaluated", () -> {
            unhealthy.clear();
            int rules = 0;
            for (JsonNode g : prometheus.api("/api/v1/rules").path("data").path("groups")) {
                for (JsonNode r : g.path("rules")) {
                    rules++;
                    if (!"ok".equals(r.path("health").asText())) {
                        unhealthy.add(r.path("name").asText() + ": " + r.path("health").asText() + " " + r.path("lastError").asText());
                    }
                }
            }
            return rules == OpsFiles.ruleExpressions().size() && unhealthy.stream().noneMatch(u -> u.contains(": unknown"));
        });
        assertThat(unhealthy).as("rules with evaluation errors").isEmpty();

        // 4. every dashboard query runs; a query whose every selector has data (two samples, as rate() needs, in
        //    the last 10 s) returns data too. Query and check at the same time; wait for 8 s of scrapes first.
        awaitTrue("8 s of scrapes", () -> !prometheus.query("count_over_time(up{job=\"iothub-exporter\"}[10s]) >= 8")
                .path("result").isEmpty());
        List<String> failures = new ArrayList<>();
        int fedQueries = 0;
        List<String> empty = new ArrayList<>();
        int run = 0;
        for (OpsFiles.DashboardQuery q : OpsFiles.dashboardQueries()) {
            String promql = OpsFiles.grafanaToPromql(q.expr(), "10s", "1m");
            long at = System.currentTimeMillis() / 1000 - 1; // a second back: that scrape is surely in
            JsonNode data;
            try {
                data = q.instant() ? prometheus.queryAt(promql, at) : prometheus.queryRange(promql, at, 30, "1s");
                run++;
            } catch (AssertionError e) {
                failures.add(q.where() + ": " + e.getMessage());
                continue;
            }
            boolean fed = true;
            for (String selector : PromqlNames.selectors(promql)) {
                fed &= !prometheus.queryAt("count_over_time(" + selector + "[10s]) >= 2", at).path("result").isEmpty();
            }
            fedQueries += fed ? 1 : 0;
            if (fed && data.path("result").isEmpty()) {
                empty.add(q.where() + ": " + promql);
            }
        }
        assertThat(failures).as("dashboard queries Prometheus refused").isEmpty();
        assertThat(run).isGreaterThan(30);
        assertThat(empty).as("dashboard queries without data although the exporter has samples of their metrics").isEmpty();
        assertThat(fedQueries).as("queries the simulator feeds (the check above is not vacuous)").isGreaterThan(20);
    }

    private JsonNode awaitAlert(String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(75);
        while (System.nanoTime() < deadline) {
            for (JsonNode a : alertmanager.alerts()) {
                if (name.equals(a.path("labels").path("alertname").asText())) {
                    return a;
                }
            }
            ExporterProcess.sleep(250);
        }
        throw new AssertionError(name + " did not reach Alertmanager within 75 s. Prometheus alerts: "
                + prometheus.api("/api/v1/alerts").path("data") + "\ncritical offline: "
                + prometheus.query("iothub_critical_device_offline == 1").path("result"));
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            ExporterProcess.sleep(200);
        }
    }
}
