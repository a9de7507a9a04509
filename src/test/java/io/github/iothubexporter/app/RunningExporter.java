package io.github.iothubexporter.app;

import io.github.iothubexporter.config.ConfigLoader;
import io.github.iothubexporter.config.ExporterConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real service, in-process, on a random port, for tests that speak HTTP to it. */
public final class RunningExporter implements AutoCloseable {
    private final ExporterApp app;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /**
     * For GETs (tests poll /metrics): HTTP/1.1, because the JDK client's h2c upgrade attempt on plain http
     * occasionally left a poll unanswered, its timeout unfired. POSTs keep the default client (HTTP/2 upgrade),
     * whose header encoding the webhook-secret tests rely on.
     */
    private final HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    public final String base;

    public RunningExporter(Path stateDir, Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>();
        all.put("IOTHUB_EXPORTER_SERVER_PORT", "0");
        all.put("IOTHUB_EXPORTER_SERVER_HOST", "127.0.0.1");
        all.put("IOTHUB_EXPORTER_STATE_DIR", stateDir.toString());
        all.put("IOTHUB_EXPORTER_SIMULATOR_ENABLED", "false");
        all.putAll(env);
        ExporterConfig config = ConfigLoader.load(null, all);
        app = ExporterApp.start(config).toCompletionStage().toCompletableFuture().get();
        base = "http://127.0.0.1:" + app.port();
    }

    public ExporterApp app() {
        return app;
    }

    public HttpResponse<String> post(String pathAndQuery, String body, String contentType, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http11.send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/plain")
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public String metrics() throws Exception {
        return get("/metrics").body();
    }

    /** Value of one sample, e.g. metric("iothub_devices_connected", "hub", "h1"); NaN when absent. */
    public double metric(String name, String... labels) throws Exception {
        return sample(metrics(), name, labels);
    }

    public static double sample(String text, String name, String... labels) {
        StringBuilder re = new StringBuilder("(?m)^").append(Pattern.quote(name)).append("\\{");
        StringBuilder lookahead = new StringBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            lookahead.append("(?=[^}]*\\b").append(Pattern.quote(labels[i])).append("=\"")
                    .append(Pattern.quote(labels[i + 1])).append("\")");
        }
        Matcher m = Pattern.compile(re + lookahead.toString() + "[^}]*\\} (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Override
    public void close() {
        app.stop();
    }
}
