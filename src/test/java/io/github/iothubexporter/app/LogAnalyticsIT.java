package io.github.iothubexporter.app;

import io.github.iothubexporter.logs.FakeIdentityEndpoint;
import io.github.iothubexporter.logs.FakeLogAnalytics;
import io.github.iothubexporter.logs.LateArrivalDataset;
import io.github.iothubexporter.logs.TestTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar as its own process, configured only through its environment, the way it runs in Azure: the
 * real DefaultAzureCredential reads IDENTITY_ENDPOINT / IDENTITY_HEADER (here a local managed-identity endpoint),
 * the SDK's default Netty client trusts the local Log Analytics through the JVM trust store. The process is killed
 * with SIGKILL and restarted; every record is counted once across the two processes.
 */
class LogAnalyticsIT {
    static final String WORKSPACE = "0c5e8f3a-2b1d-4f6e-9a7c-3d2e1f0a9b8c";
    static final String TOKEN = "it-token-for-a-forked-jvm";
    @TempDir
    Path dir;
    FakeIdentityEndpoint identity;
    FakeLogAnalytics service;
    Process process;
    int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        identity = new FakeIdentityEndpoint("http://127.0.0.1:" + freePort() + "/msi/token", "it-identity-header", TOKEN);
        service = new FakeLogAnalytics(WORKSPACE, TOKEN, System::currentTimeMillis);
    }

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        service.close();
        identity.close();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Process launch(String log) throws Exception {
        port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        cmd.addAll(List.of(TestTls.get().trustStoreOptions()));
        cmd.addAll(List.of("-jar", System.getProperty("exporter.jar", "target/iothub-connectivity-exporter.jar")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("IOTHUB_EXPORTER_") || k.startsWith("AZURE_") || k.equals("MSI_ENDPOINT")
                || k.equals("IMDS_ENDPOINT") || k.equals("IDENTITY_SERVER_THUMBPRINT"));
        env.put("IDENTITY_ENDPOINT", identity.endpoint);
        env.put("IDENTITY_HEADER", identity.header);
        env.put("IOTHUB_EXPORTER_SERVER_HOST", "127.0.0.1");
        env.put("IOTHUB_EXPORTER_SERVER_PORT", String.valueOf(port));
        env.put("IOTHUB_EXPORTER_STATE_DIR", dir.resolve("state").toString());
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_WORKSPACEID", WORKSPACE);
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_ENDPOINT", service.endpoint());
        env.put("IOTHUB_EXPORTER_LOGANALYTICS_INTERVAL", "1s");
        Process p = pb.start();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> get("/healthz").statusCode() == 200);
        return p;
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", "text/plain")
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    double records() throws Exception {
        return LogAnalyticsAppTest.total(get("/metrics").body(), "iothub_connection_log_records_total");
    }

    @Test
    void theJarPollsWithItsManagedIdentityAndCountsOnceAcrossAKill() throws Exception {
        Instant now = Instant.now();
        service.addAll(LogAnalyticsAppTest.history(now, 200, "dev-"));
        process = launch("first.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> records() == 200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        String metrics = get("/metrics").body();
        assertThat(LogAnalyticsAppTest.total(metrics, "iothub_connection_errors_total")).isEqualTo(200 - 67);
        assertThat(metrics).contains("iothub_loganalytics_queries_total{workspace=\"" + WORKSPACE + "\",outcome=\"success\",}");
        assertThat(identity.resources).containsOnly("https://127.0.0.1");
        assertThat(service.requests).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN));

        // kill -9, then records arrive while the service is down, one of them ingested before the saved watermark
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Instant t = Instant.now();
        service.add(LateArrivalDataset.row("hub-a", "late-1", t.minusSeconds(300), t.minusSeconds(30), t, "404104", null));
        service.add(LateArrivalDataset.row("hub-a", "down-1", t.minusSeconds(120), t.minusSeconds(1), t, "401003", null));
        service.add(LateArrivalDataset.row("HUB-B", "down-2", t.minusSeconds(120), t.minusSeconds(1), t, null, LogAnalyticsAppTest.NODE));
        process = launch("second.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> records() >= 3);
        Thread.sleep(2500); // more polls: nothing counted twice
        assertThat(records()).isEqualTo(3);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        process.destroy(); // SIGTERM: graceful stop
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(java.nio.file.Files.readString(dir.resolve("second.log"))).doesNotContain(TOKEN);
    }
}
