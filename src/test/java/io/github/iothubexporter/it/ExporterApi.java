package io.github.iothubexporter.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The exporter's HTTP surface as the tests use it, over java.net.http. */
final class ExporterApi {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TEXT_004 = "text/plain; version=0.0.4";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final ExporterProcess process;
    private final String secret;

    ExporterApi(ExporterProcess process, String secret) {
        this.process = process;
        this.secret = secret;
    }

    /** Answer to one webhook delivery. */
    record Delivery(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("webhook answered " + status + " with a body that is not JSON: " + body, e);
            }
        }

        int count(String field) {
            JsonNode n = json().get(field);
            if (n == null || !n.isInt()) {
                throw new AssertionError("webhook answer has no integer '" + field + "': " + body);
            }
            return n.intValue();
        }
    }

    /** POST /api/eventgrid?code=secret with an Event Grid schema body; throws IOException when the process is gone. */
    Delivery post(String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(process.uri("/api/eventgrid?code=" + enc(secret)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("aeg-event-type", "Notification")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> r = process.http().send(req, HttpResponse.BodyHandlers.ofString());
        return new Delivery(r.statusCode(), r.body());
    }

    /** GET /metrics with the given Accept header. */
    HttpResponse<String> metrics(String accept) {
        return get("/metrics", accept);
    }

    /** The 0.0.4 text exposition, asserting 200. */
    String scrape() {
        HttpResponse<String> r = metrics(TEXT_004);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /metrics answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** GET /api/devices/{hub}/{device}[?moduleId=]: status and body. */
    HttpResponse<String> device(String hub, String deviceId, String moduleId) {
        String path = "/api/devices/" + pathSegment(hub) + "/" + pathSegment(deviceId)
                + (moduleId == null || moduleId.isEmpty() ? "" : "?moduleId=" + enc(moduleId));
        return get(path, "application/json");
    }

    HttpResponse<String> get(String pathAndQuery, String accept) {
        HttpRequest req = HttpRequest.newBuilder(process.uri(pathAndQuery))
                .timeout(Duration.ofSeconds(15))
                .header("Accept", accept)
                .GET()
                .build();
        try {
            return process.http().send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + pathAndQuery + " failed: " + e + "; exporter output:\n" + process.logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Percent-encodes one path segment (URLEncoder is for forms: it writes spaces as '+'). */
    static String pathSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
