package io.github.iothubexporter.ops;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * alert-rules/: the real promtool checks the rules, runs their unit tests (firing and not firing, token-renewal churn
 * never alerting) and checks the Prometheus configuration of the stack; plus the conventions promtool cannot check.
 */
class AlertRulesTest {
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

    @Test
    void promtoolChecksTheRules() {
        Path promtool = OpsFiles.binary("promtool", "prometheus");
        OpsFiles.Run r = OpsFiles.run(OpsFiles.root(), 60, promtool.toString(), "check", "rules", "--lint=all", "--lint-fatal",
                OpsFiles.RULES);
        assertThat(r.code()).as("promtool check rules %s", r).isZero();
        assertThat(r.output()).contains("SUCCESS: " + OpsFiles.ruleExpressions().size() + " rules found");
    }

    @Test
    void promtoolRunsTheRuleUnitTests() {
        Path promtool = OpsFiles.binary("promtool", "prometheus");
        OpsFiles.Run r = OpsFiles.run(OpsFiles.root(), 120, promtool.toString(), "test", "rules", OpsFiles.RULE_TESTS);
        assertThat(r.code()).as("promtool test rules %s", r).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void promtoolTestRulesReallyFailsOnAWrongExpectation() throws Exception {
        // The harness must be able to fail: flip one expectation of the renewal test and promtool has to say so.
        Path promtool = OpsFiles.binary("promtool", "prometheus");
        Path dir = Files.createTempDirectory("rules-mutant");
        Files.copy(OpsFiles.file(OpsFiles.RULES), dir.resolve("iothub-alerts.yml"));
        String tests = Files.readString(OpsFiles.file(OpsFiles.RULE_TESTS));
        String broken = tests.replaceFirst("- \\{eval_time: 3h, alertname: IoTHubExporterDown, exp_alerts: \\[\\]\\}",
                "- {eval_time: 3h, alertname: IoTHubExporterDown, exp_alerts: [{exp_labels: {severity: critical}}]}");
        assertThat(broken).isNotEqualTo(tests);
        Files.writeString(dir.resolve("t.yml"), broken);
        OpsFiles.Run r = OpsFiles.run(dir, 120, promtool.toString(), "test", "rules", "t.yml");
        assertThat(r.code()).as("promtool on a wrong expectation: %s", r).isNotZero();
    }

    @Test
    void promtoolChecksThePrometheusConfigurationOfTheStack() {
        Path promtool = OpsFiles.binary("promtool", "prometheus");
        OpsFiles.Run r = OpsFiles.run(OpsFiles.root(), 60, promtool.toString(), "check", "config", OpsFiles.PROMETHEUS);
        assertThat(r.code()).as("promtool check config %s", r).isZero();
        JsonNode prom = OpsFiles.yaml(OpsFiles.file(OpsFiles.PROMETHEUS));
        assertThat(prom.path("rule_files").toString()).contains("iothub-alerts.yml");
        List<String> jobs = new ArrayList<>();
        prom.path("scrape_configs").forEach(j -> jobs.add(j.path("job_name").asText()));
        assertThat(jobs).as("the job IoTHubExporterDown watches").contains("iothub-exporter");
    }

    @Test
    void everyAlertHasSeveritySummaryDescriptionAndARunbook() throws Exception {
        List<OpsFiles.Alert> alerts = OpsFiles.alerts();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(15);
        List<String> problems = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (OpsFiles.Alert a : alerts) {
            if (!names.add(a.name())) {
                problems.add(a.name() + ": defined twice");
            }
            if (!a.name().matches("IoTHub[A-Z][A-Za-z0-9]+")) {
                problems.add(a.name() + ": alert names are CamelCase with the IoTHub prefix");
            }
            if (!SEVERITIES.contains(a.labels().path("severity").asText())) {
                problems.add(a.name() + ": severity label must be one of " + SEVERITIES);
            }
            String summary = a.annotations().path("summary").asText("");
            if (summary.isBlank() || !summary.endsWith(".") || summary.contains("{{")) {
                problems.add(a.name() + ": summary must be a static sentence ending with a period");
            }
            if (a.annotations().path("description").asText("").isBlank()) {
                problems.add(a.name() + ": description missing");
            }
            String runbook = a.annotations().path("runbook_url").asText("");
            if (!runbook.equals(OpsFiles.RUNBOOK_PREFIX + a.name() + ".md")) {
                problems.add(a.name() + ": runbook_url must be " + OpsFiles.RUNBOOK_PREFIX + a.name() + ".md, is " + runbook);
            } else if (!Files.isRegularFile(OpsFiles.file("docs/runbooks/" + a.name() + ".md"))) {
                problems.add(a.name() + ": docs/runbooks/" + a.name() + ".md does not exist");
            }
        }
        assertThat(problems).isEmpty();
        // and no runbook without its alert (error-codes.md and README.md are the shared pages)
        try (Stream<Path> s = Files.list(OpsFiles.file("docs/runbooks"))) {
            Set<String> orphans = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".md"))
                    .map(f -> f.substring(0, f.length() - 3))
                    .filter(f -> !f.equals("error-codes") && !f.equals("README") && !names.contains(f))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(orphans).as("runbooks without an alert").isEmpty();
        }
    }

    @Test
    void runbooksLinkOnlyToFilesThatExist() throws Exception {
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+\\.md)(#[^)]*)?\\)");
        List<String> broken = new ArrayList<>();
        try (Stream<Path> s = Files.list(OpsFiles.file("docs/runbooks"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".md")).toList()) {
                Matcher m = link.matcher(Files.readString(p));
                while (m.find()) {
                    String target = m.group(1);
                    if (!target.startsWith("http") && !Files.isRegularFile(p.getParent().resolve(target).normalize())) {
                        broken.add(p.getFileName() + " -> " + target);
                    }
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void tokenRenewalChurnIsCheckedAgainstEveryAlertAndEveryAlertIsSeenFiring() {
        JsonNode tests = OpsFiles.yaml(OpsFiles.file(OpsFiles.RULE_TESTS)).path("tests");
        Set<String> silentUnderRenewal = new TreeSet<>();
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        JsonNode renewal = null;
        for (JsonNode t : tests) {
            boolean isRenewal = t.path("name").asText().startsWith("token renewal churn");
            if (isRenewal) {
                renewal = t;
            }
            for (JsonNode c : t.path("alert_rule_test")) {
                String alert = c.path("alertname").asText();
                if (c.path("exp_alerts").isEmpty()) {
                    quiet.add(alert);
                    if (isRenewal) {
                        silentUnderRenewal.add(alert);
                    }
                } else {
                    firing.add(alert);
                }
            }
        }
        Set<String> all = OpsFiles.alerts().stream().map(OpsFiles.Alert::name).collect(Collectors.toCollection(TreeSet::new));
        assertThat(renewal).as("the token-renewal test group").isNotNull();
        assertThat(silentUnderRenewal).as("alerts asserted silent under pure token-renewal churn").isEqualTo(all);
        assertThat(firing).as("alerts with a test that sees them fire").isEqualTo(all);
        assertThat(quiet).as("alerts with a test that sees them not fire").isEqualTo(all);
        // the renewal group really is renewal churn: renewal disconnects and the 401003/404104 renewal signature
        String series = renewal.path("input_series").toString();
        assertThat(series).contains("kind=\\\"token_renewal\\\"", "code=\\\"401003\\\"", "code=\\\"404104\\\"");
    }

    @Test
    void noAlertCountsTokenRenewals() {
        for (OpsFiles.Alert a : OpsFiles.alerts()) {
            assertThat(a.expr()).as(a.name()).doesNotContain("kind=\"token_renewal\"").doesNotContain("kind=~\"token_renewal");
        }
    }
}
