package io.github.iothubexporter.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's prometheus package) on 127.0.0.1, configured from alert-rules/prometheus.yml with only
 * the addresses and intervals changed: it loads the real alert-rules/iothub-alerts.yml, scrapes the exporter under
 * the job name the rules expect, and sends alerts to the given Alertmanager.
 */
public final class Prometheus extends LocalServerProcess {

    private Prometheus(Process process, int port, Path log) {
        super("prometheus", process, port, log);
    }

    /**
     * @param exporter  host:port of the exporter (job iothub-exporter)
     * @param alertmanager host:port of Alertmanager
     * @param interval  scrape and evaluation interval, e.g. "1s"
     */
    public static Prometheus start(String exporter, String alertmanager, String interval, Path workDir) {
        Path binary = OpsFiles.binary("prometheus", "prometheus");
        int port = freePort();
        try {
            ObjectNode config = (ObjectNode) OpsFiles.yaml(OpsFiles.file(OpsFiles.PROMETHEUS)).deepCopy();
            ObjectNode global = (ObjectNode) config.get("global");
            global.put("scrape_interval", interval);
            global.put("evaluation_interval", interval);
            ArrayNode rules = config.putArray("rule_files");
            for (JsonNode r : OpsFiles.yaml(OpsFiles.file(OpsFiles.PROMETHEUS)).path("rule_files")) {
                rules.add(OpsFiles.file("alert-rules").resolve(r.asText()).toAbsolutePath().toString());
            }
            targets(config.path("alerting").path("alertmanagers").get(0), alertmanager);
            for (JsonNode job : config.path("scrape_configs")) {
                String name = job.path("job_name").asText();
                targets(job, name.equals("iothub-exporter") ? exporter : "127.0.0.1:" + port);
            }
            Path file = workDir.resolve("prometheus.yml");
            OpsFiles.YAML.writeValue(file.toFile(), config);
            Path log = workDir.resolve("prometheus.log");
            Process p = new ProcessBuilder(binary.toString(), "--config.file=" + file.toAbsolutePath(),
                    "--storage.tsdb.path=" + workDir.resolve("prom-data").toAbsolutePath(),
                    "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Prometheus prom = new Prometheus(p, port, log);
            prom.awaitReady(30);
            return prom;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void targets(JsonNode withStaticConfigs, String target) {
        ArrayNode statics = (ArrayNode) withStaticConfigs.path("static_configs");
        if (statics.size() != 1) {
            throw new AssertionError("expected one static_configs entry in " + withStaticConfigs);
        }
        ((ObjectNode) statics.get(0)).putArray("targets").add(target);
    }

    /** The JSON answer of an HTTP API call; fails unless Prometheus says status=success. */
    public JsonNode api(String pathAndQuery) throws IOException {
        HttpResponse<String> r = get(pathAndQuery);
        JsonNode body = OpsFiles.JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("GET " + pathAndQuery + ": " + r.statusCode() + " " + r.body());
        }
        return body;
    }

    /** An instant query now; the answer's data. */
    public JsonNode query(String promql) throws IOException {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data");
    }

    /** An instant query at {@code epochSeconds}; the answer's data. */
    public JsonNode queryAt(String promql, long epochSeconds) throws IOException {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&time=" + epochSeconds).path("data");
    }

    /** A range query over the {@code seconds} up to {@code endEpochSeconds} with the given step; the answer's data. */
    public JsonNode queryRange(String promql, long endEpochSeconds, long seconds, String step) throws IOException {
        return api("/api/v1/query_range?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&start=" + (endEpochSeconds - seconds) + "&end=" + endEpochSeconds + "&step=" + step).path("data");
    }
}
