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
public final class Alertmanager implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Alertmanager(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
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
            am.awaitReady();
            return am;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("alertmanager exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(100);
        }
        throw new AssertionError("alertmanager not ready within 20 s:\n" + logText());
    }

    public HttpResponse<String> get(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** POST /api/v2/alerts with the given alerts (JSON array). */
    public void post(String alertsJson) throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v2/alerts"))
                            .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(alertsJson)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("POST /api/v2/alerts: " + r.statusCode() + " " + r.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
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

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
