package io.github.iothubexporter.ops;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1 with a given configuration, gossip off, for
 * tests that speak its v2 API. Stopped (SIGTERM, then SIGKILL) by {@link #close()}.
 */
public final class Alertmanager extends LocalServerProcess {

    private Alertmanager(Process process, int port, Path log) {
        super("alertmanager", process, port, log);
    }

    public static Alertmanager start(Path config, Path workDir) {
        Path binary = OpsFiles.binary("prometheus-alertmanager", "prometheus-alertmanager");
        int port = freePort();
        Path log = workDir.resolve("alertmanager.log");
        try {
            Files.createDirectories(workDir.resolve("am-data"));
            Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config.toAbsolutePath(),
                    "--storage.path=" + workDir.resolve("am-data").toAbsolutePath(),
                    "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Alertmanager am = new Alertmanager(p, port, log);
            am.awaitReady(20);
            return am;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** POST /api/v2/alerts with the given alerts (JSON array). */
    public void post(String alertsJson) throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base() + "/api/v2/alerts"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alertsJson)).build());
        if (r.statusCode() != 200) {
            throw new AssertionError("POST /api/v2/alerts: " + r.statusCode() + " " + r.body());
        }
    }

    /** GET /api/v2/alerts (active, silenced and inhibited ones). */
    public List<JsonNode> alerts() throws IOException {
        HttpResponse<String> r = get("/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true");
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /api/v2/alerts: " + r.statusCode() + " " + r.body());
        }
        List<JsonNode> out = new java.util.ArrayList<>();
        OpsFiles.JSON.readTree(r.body()).forEach(out::add);
        return out;
    }
}
