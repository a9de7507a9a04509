package io.github.iothubexporter.ops;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * alert-rules/alertmanager.yml with the real tools: amtool checks it and resolves every alert's route; a running
 * Alertmanager shows that the inhibitions mute what they should and nothing else.
 */
class AlertmanagerConfigTest {
    private static final Map<String, String> RECEIVER_BY_SEVERITY = Map.of(
            "critical", "iothub-pager", "warning", "iothub-tickets", "info", "iothub-default");

    @TempDir
    Path tmp;

    @Test
    void amtoolAcceptsTheConfiguration() {
        Path amtool = OpsFiles.binary("amtool", "prometheus-alertmanager");
        OpsFiles.Run r = OpsFiles.run(OpsFiles.root(), 60, amtool.toString(), "check-config", OpsFiles.ALERTMANAGER);
        assertThat(r.code()).as("amtool check-config %s", r).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void amtoolRejectsABrokenConfiguration() throws Exception {
        Path amtool = OpsFiles.binary("amtool", "prometheus-alertmanager");
        Path broken = tmp.resolve("broken.yml");
        Files.writeString(broken, Files.readString(OpsFiles.file(OpsFiles.ALERTMANAGER))
                .replace("receiver: iothub-pager", "receiver: no-such-receiver"));
        OpsFiles.Run r = OpsFiles.run(OpsFiles.root(), 60, amtool.toString(), "check-config", broken.toString());
        assertThat(r.code()).as("amtool on an undefined receiver: %s", r).isNotZero();
    }

    @Test
    void everyAlertRoutesToTheReceiverOfItsSeverity() {
        Path amtool = OpsFiles.binary("amtool", "prometheus-alertmanager");
        List<String> wrong = new ArrayList<>();
        for (OpsFiles.Alert a : OpsFiles.alerts()) {
            String severity = a.labels().path("severity").asText();
            String expected = RECEIVER_BY_SEVERITY.get(severity);
            OpsFiles.Run r = OpsFiles.run(OpsFiles.root(), 30, amtool.toString(), "config", "routes", "test",
                    "--config.file=" + OpsFiles.ALERTMANAGER, "--verify.receivers=" + expected,
                    "alertname=" + a.name(), "severity=" + severity, "hub=h1");
            if (r.code() != 0) {
                wrong.add(a.name() + " (" + severity + ") expected " + expected + ": " + r.output().strip());
            }
        }
        assertThat(wrong).isEmpty();
        // and the test can fail: a warning does not page
        OpsFiles.Run r = OpsFiles.run(OpsFiles.root(), 30, amtool.toString(), "config", "routes", "test",
                "--config.file=" + OpsFiles.ALERTMANAGER, "--verify.receivers=iothub-pager", "severity=warning");
        assertThat(r.code()).as("a warning routed to the pager? %s", r).isNotZero();
    }

    @Test
    void inhibitionsNameOnlyAlertsThatExistAndGroupByTheirLabels() {
        Set<String> alerts = OpsFiles.alerts().stream().map(OpsFiles.Alert::name).collect(Collectors.toCollection(TreeSet::new));
        JsonNode am = OpsFiles.yaml(OpsFiles.file(OpsFiles.ALERTMANAGER));
        Pattern names = Pattern.compile("alertname=~?\"([^\"]+)\"");
        Set<String> referenced = new TreeSet<>();
        for (JsonNode rule : am.path("inhibit_rules")) {
            for (String side : List.of("source_matchers", "target_matchers")) {
                for (JsonNode m : rule.path(side)) {
                    Matcher x = names.matcher(m.asText());
                    assertThat(x.find()).as("inhibit rule matchers name alerts: %s", m).isTrue();
                    referenced.addAll(List.of(x.group(1).split("\\|")));
                }
            }
            assertThat(rule.path("equal").size()).as("every inhibition is limited by an equal label: %s", rule).isPositive();
        }
        assertThat(alerts).containsAll(referenced);
        List<String> groupBy = new ArrayList<>();
        am.path("route").path("group_by").forEach(g -> groupBy.add(g.asText()));
        assertThat(groupBy).contains("alertname", "hub");
    }

    @Test
    void aRunningAlertmanagerInhibitsPerDeviceAlertsOfTheHubWithAMassDisconnectOnly() throws Exception {
        Path config = tmp.resolve("alertmanager.yml");
        Files.copy(OpsFiles.file(OpsFiles.ALERTMANAGER), config);
        try (Alertmanager am = Alertmanager.start(config, tmp)) {
            am.post("""
                    [
                     {"labels": {"alertname": "IoTHubRegionalMassDisconnect", "severity": "critical", "hub": "h1"}},
                     {"labels": {"alertname": "IoTHubCriticalDeviceOffline", "severity": "critical", "hub": "h1", "device": "pump-1"}},
                     {"labels": {"alertname": "IoTHubDevicesFlapping", "severity": "warning", "hub": "h1"}},
                     {"labels": {"alertname": "IoTHubCriticalDeviceOffline", "severity": "critical", "hub": "h2", "device": "pump-9"}},
                     {"labels": {"alertname": "IoTHubDevicesOfflineJump", "severity": "critical", "hub": "h2"}},
                     {"labels": {"alertname": "IoTHubDevicesOfflineHigh", "severity": "warning", "hub": "h2"}},
                     {"labels": {"alertname": "IoTHubDevicesOfflineHigh", "severity": "warning", "hub": "h3"}},
                     {"labels": {"alertname": "IoTHubLogAnalyticsStale", "severity": "warning", "workspace": "ws1"}},
                     {"labels": {"alertname": "IoTHubLogAnalyticsLagging", "severity": "warning", "workspace": "ws1"}},
                     {"labels": {"alertname": "IoTHubLogAnalyticsLagging", "severity": "warning", "workspace": "ws2"}}
                    ]""");
            Map<String, String> states = new TreeMap<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                states.clear();
                for (JsonNode a : am.alerts()) {
                    JsonNode l = a.path("labels");
                    String key = l.path("alertname").asText() + "/" + l.path("hub").asText(l.path("workspace").asText())
                            + (l.has("device") ? "/" + l.path("device").asText() : "");
                    String state = a.path("status").path("state").asText();
                    if ("suppressed".equals(state) && a.path("status").path("inhibitedBy").isEmpty()) {
                        state = "suppressed-not-by-inhibition";
                    }
                    states.put(key, state);
                }
                if (states.size() == 10 || System.nanoTime() > deadline) {
                    break;
                }
                Alertmanager.sleep(100);
            }
            assertThat(states).as("Alertmanager log:\n%s", am.logText()).isEqualTo(new TreeMap<>(Map.of(
                    "IoTHubRegionalMassDisconnect/h1", "active",
                    "IoTHubCriticalDeviceOffline/h1/pump-1", "suppressed",
                    "IoTHubDevicesFlapping/h1", "suppressed",
                    "IoTHubCriticalDeviceOffline/h2/pump-9", "active",
                    "IoTHubDevicesOfflineJump/h2", "active",
                    "IoTHubDevicesOfflineHigh/h2", "suppressed",
                    "IoTHubDevicesOfflineHigh/h3", "active",
                    "IoTHubLogAnalyticsStale/ws1", "active",
                    "IoTHubLogAnalyticsLagging/ws1", "suppressed",
                    "IoTHubLogAnalyticsLagging/ws2", "active")));
        }
    }
}
