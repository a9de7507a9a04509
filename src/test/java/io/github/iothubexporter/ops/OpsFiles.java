package io.github.iothubexporter.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The operations bundle (alert-rules/, dashboards/, docker-compose.yml, docs/runbooks/) as the tests see it: file
 * locations, YAML/JSON loading, the alert rules and dashboard queries as data, and the external binaries
 * (promtool, amtool, prometheus, prometheus-alertmanager, docker-compose) that scripts/install-test-tools.sh installs.
 */
public final class OpsFiles {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Every alert's runbook_url starts with this and ends in docs/runbooks/&lt;alertname&gt;.md. */
    public static final String RUNBOOK_PREFIX =
            "https://github.com/iothubexporter/iothub-connectivity-exporter/blob/main/docs/runbooks/";
    public static final String RULES = "alert-rules/iothub-alerts.yml";
    public static final String RULE_TESTS = "alert-rules/iothub-alerts_test.yml";
    public static final String ALERTMANAGER = "alert-rules/alertmanager.yml";
    public static final String PROMETHEUS = "alert-rules/prometheus.yml";
    /** Provisioned data-source uids (dashboards/provisioning/datasources). */
    public static final String PROMETHEUS_UID = "prometheus";
    public static final String EXPORTER_JSON_UID = "iothub-exporter-json";
    /** Where docker-compose mounts dashboards/ in the Grafana container (the provider's path). */
    public static final String GRAFANA_DASHBOARDS_PATH = "/var/lib/grafana/dashboards/iothub";

    private OpsFiles() {
    }

    /** The project directory (Maven runs tests there; found by pom.xml + alert-rules/ upwards otherwise). */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        for (Path c = p; c != null; c = c.getParent()) {
            if (Files.isRegularFile(c.resolve("pom.xml")) && Files.isDirectory(c.resolve("alert-rules"))) {
                return c;
            }
        }
        throw new AssertionError("cannot find the project directory (pom.xml next to alert-rules/) from " + p);
    }

    public static Path file(String relative) {
        return root().resolve(relative);
    }

    public static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** One alerting rule of alert-rules/iothub-alerts.yml. */
    public record Alert(String name, String group, String expr, JsonNode labels, JsonNode annotations, String forDuration) {
    }

    public static List<Alert> alerts() {
        List<Alert> out = new ArrayList<>();
        for (JsonNode group : yaml(file(RULES)).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    out.add(new Alert(rule.get("alert").asText(), group.path("name").asText(), rule.path("expr").asText(),
                            rule.path("labels"), rule.path("annotations"), rule.path("for").asText("")));
                }
            }
        }
        return out;
    }

    /** Every PromQL expression of the rules (alerts and recording rules), keyed by rule name. */
    public static Map<String, String> ruleExpressions() {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode group : yaml(file(RULES)).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? rule.get("alert").asText() : rule.path("record").asText();
                out.put("rule " + name, rule.path("expr").asText());
            }
        }
        return out;
    }

    public static List<Path> dashboards() {
        try (Stream<Path> s = Files.list(file("dashboards"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One Prometheus query of a dashboard: a panel target, a variable query or an annotation. */
    public record DashboardQuery(String where, String expr, boolean instant) {
    }

    /** Every Prometheus expression in the dashboards: panel targets (rows included), variable and annotation queries. */
    public static List<DashboardQuery> dashboardQueries() {
        List<DashboardQuery> out = new ArrayList<>();
        for (Path d : dashboards()) {
            JsonNode dash = json(d);
            String name = d.getFileName().toString();
            List<JsonNode> panels = new ArrayList<>();
            dash.path("panels").forEach(p -> {
                panels.add(p);
                p.path("panels").forEach(panels::add);
            });
            for (JsonNode p : panels) {
                for (JsonNode t : p.path("targets")) {
                    if (isPrometheus(t.path("datasource").isMissingNode() ? p.path("datasource") : t.path("datasource"))) {
                        out.add(new DashboardQuery(name + " panel \"" + p.path("title").asText() + "\" " + t.path("refId").asText(),
                                t.path("expr").asText(), t.path("instant").asBoolean(false)));
                    }
                }
            }
            for (JsonNode v : dash.path("templating").path("list")) {
                if ("query".equals(v.path("type").asText()) && isPrometheus(v.path("datasource"))) {
                    JsonNode q = v.path("query");
                    out.add(new DashboardQuery(name + " variable " + v.path("name").asText(),
                            q.isObject() ? q.path("query").asText() : q.asText(), true));
                }
            }
            for (JsonNode a : dash.path("annotations").path("list")) {
                if (isPrometheus(a.path("datasource")) && a.has("expr")) {
                    out.add(new DashboardQuery(name + " annotation " + a.path("name").asText(), a.path("expr").asText(), false));
                }
            }
        }
        return out;
    }

    static boolean isPrometheus(JsonNode datasource) {
        return "prometheus".equals(datasource.path("type").asText());
    }

    /**
     * A dashboard expression as Prometheus would receive it from Grafana: variables replaced by what Grafana sends
     * ({@code $hub} with "All" selected is its allValue {@code .*}), and {@code label_values(metric, label)} (a
     * Grafana function, not PromQL) reduced to the selector it queries.
     */
    public static String grafanaToPromql(String expr, String rateInterval, String range) {
        String e = expr.replace("$__rate_interval", rateInterval).replace("$__interval", rateInterval)
                .replace("$__range", range).replace("${hub}", ".*").replace("$hub", ".*");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)\\s*$").matcher(e);
        if (m.matches()) {
            e = m.group(1);
        }
        return e;
    }

    /** An executable on PATH; a missing one fails the test with the install hint (never skipped: CI installs it). */
    public static Path binary(String name, String debianPackage) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path c = Path.of(dir, name);
                    if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                        return c;
                    }
                }
            }
        }
        throw new AssertionError(name + " is not on PATH. It comes with Debian's " + debianPackage + " package: run "
                + "scripts/install-test-tools.sh (or 'apt-get install -y --no-install-recommends " + debianPackage + "'). "
                + "This check is required and is not skipped.");
    }

    /** Outcome of a finished command. */
    public record Run(int code, String output) {
        @Override
        public String toString() {
            return "exit " + code + ":\n" + output;
        }
    }

    /** Runs a command in the project directory and returns its exit code and combined output. */
    public static Run run(Path dir, long timeoutSeconds, String... command) {
        try {
            Path out = Files.createTempFile("ops-run", ".out");
            try {
                Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(Arrays.toString(command) + " did not finish within " + timeoutSeconds + " s:\n"
                            + Files.readString(out, StandardCharsets.UTF_8));
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
