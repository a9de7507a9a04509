package io.github.iothubexporter.app;

import io.github.iothubexporter.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookAuthTest {
    private static final String SECRET = "s3cr3t-with-ümlaut&symbols=";
    @TempDir
    Path dir;
    private RunningExporter exporter;

    @BeforeEach
    void start() throws Exception {
        exporter = new RunningExporter(dir, Map.of("IOTHUB_EXPORTER_WEBHOOK_SECRET", SECRET));
    }

    @AfterEach
    void stop() {
        exporter.close();
    }

    private String body(long seq) {
        return TestEvents.array(List.of(TestEvents.eventGrid("hub-x", "d", null, true, seq, Instant.now())));
    }

    @Test
    void noSecretIsRefused() throws Exception {
        var r = exporter.post("/api/eventgrid", body(1), "application/json");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("code").contains("X-Webhook-Key").doesNotContain(SECRET);
        assertThat(exporter.metric("iothub_devices_tracked", "hub", "hub-x")).isNaN();
        assertThat(exporter.metric("iothub_events_rejected_total", "source", "webhook", "reason", "unauthorized")).isEqualTo(1);
    }

    @Test
    void wrongSecretIsRefusedByQueryAndHeader() throws Exception {
        assertThat(exporter.post("/api/eventgrid?code=wrong", body(1), "application/json").statusCode()).isEqualTo(401);
        assertThat(exporter.post("/api/eventgrid", body(1), "application/json", "X-Webhook-Key", "wrong").statusCode()).isEqualTo(401);
        assertThat(exporter.post("/api/eventgrid", body(1), "application/json", "X-Webhook-Key", SECRET.substring(1)).statusCode())
                .isEqualTo(401);
        assertThat(exporter.metric("iothub_devices_tracked", "hub", "hub-x")).isNaN();
    }

    /** The JDK client turns non-ASCII header characters into '?', so send the header's UTF-8 bytes by hand. */
    private int rawPostWithHeaderKey(String key, String body) throws Exception {
        int port = Integer.parseInt(exporter.base.substring(exporter.base.lastIndexOf(':') + 1));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            byte[] payload = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String head = "POST /api/eventgrid HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + payload.length + "\r\nX-Webhook-Key: ";
            var out = socket.getOutputStream();
            out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write("\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void rightSecretByQueryOrHeaderIsAccepted() throws Exception {
        String q = java.net.URLEncoder.encode(SECRET, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(exporter.post("/api/eventgrid?code=" + q, body(1), "application/json").statusCode()).isEqualTo(200);
        assertThat(rawPostWithHeaderKey(SECRET, body(2))).isEqualTo(200);
        assertThat(rawPostWithHeaderKey(SECRET + "x", body(3))).isEqualTo(401);
        assertThat(exporter.metric("iothub_connection_events_total", "hub", "hub-x", "event", "connected", "source", "webhook"))
                .isEqualTo(2);
    }

    @Test
    void optionsHandshakeNeedsTheSecretToo() throws Exception {
        HttpRequest.Builder noKey = HttpRequest.newBuilder(URI.create(exporter.base + "/api/eventgrid"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("WebHook-Request-Origin", "eventgrid.azure.net");
        assertThat(exporter.send(noKey).statusCode()).isEqualTo(401);
        String q = java.net.URLEncoder.encode(SECRET, java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest.Builder withKey = HttpRequest.newBuilder(URI.create(exporter.base + "/api/eventgrid?code=" + q))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("WebHook-Request-Origin", "eventgrid.azure.net");
        assertThat(exporter.send(withKey).statusCode()).isEqualTo(200);
    }

    @Test
    void metricsAndLandingPageNeverShowTheSecret() throws Exception {
        assertThat(exporter.metrics()).doesNotContain(SECRET);
        assertThat(exporter.get("/").body()).doesNotContain(SECRET).contains("secret required");
    }
}
