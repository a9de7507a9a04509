package io.github.iothubexporter.app;

import io.github.iothubexporter.TestEvents;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of bad input gets a clear 4xx naming the problem, is counted under its reason, and changes no
 * state; the service keeps serving.
 */
class MalformedInputTest {
    private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");
    @TempDir
    static Path dir;
    private static RunningExporter exporter;

    @BeforeAll
    static void start() throws Exception {
        exporter = new RunningExporter(dir, Map.of());
        // some state to protect
        exporter.post("/api/eventgrid", TestEvents.array(java.util.List.of(
                TestEvents.eventGrid("hub-base", "d1", null, true, 1, T),
                TestEvents.eventGrid("hub-base", "d2", null, false, 1, T))), "application/json");
    }

    @AfterAll
    static void stop() {
        exporter.close();
    }

    private static String good() {
        return TestEvents.eventGrid("hub-new", "victim", null, true, 5, T);
    }

    private static String bad(String from, String to) {
        String g = good();
        assertThat(g).contains(from);
        return "[" + g.replace(from, to) + "]";
    }

    static Stream<Arguments> cases() {
        String seq = TestEvents.seq(5);
        return Stream.of(
                Arguments.of("truncated JSON", good().substring(0, 120).getBytes(StandardCharsets.UTF_8), "application/json", 400, "malformed_json", "malformed JSON"),
                Arguments.of("truncated array", ("[" + good()).getBytes(StandardCharsets.UTF_8), "application/json", 400, "malformed_json", "end-of-input"),
                Arguments.of("non-JSON", "hello, world".getBytes(StandardCharsets.UTF_8), "application/json", 400, "malformed_json", "malformed JSON"),
                Arguments.of("invalid UTF-8", new byte[]{'[', '"', (byte) 0xC3, (byte) 0x28, '"', ']'}, "application/json", 400, "malformed_json", "malformed JSON"),
                Arguments.of("JSON null", "null".getBytes(StandardCharsets.UTF_8), "application/json", 400, "invalid_body", "null"),
                Arguments.of("JSON number", "42".getBytes(StandardCharsets.UTF_8), "application/json", 400, "invalid_body", "a number"),
                Arguments.of("empty body", new byte[0], "application/json", 400, "invalid_body", "empty"),
                Arguments.of("empty array", "[]".getBytes(StandardCharsets.UTF_8), "application/json", 400, "invalid_body", "empty array"),
                Arguments.of("array of non-objects", "[1,\"x\",null]".getBytes(StandardCharsets.UTF_8), "application/json", 400, "invalid_event", "not an object"),
                Arguments.of("trailing garbage", ("[" + good() + "] xyz").getBytes(StandardCharsets.UTF_8), "application/json", 400, "malformed_json", ""),
                Arguments.of("eventType is a number", bytes(bad("\"eventType\":\"Microsoft.Devices.DeviceConnected\"", "\"eventType\":7")), "application/json", 400, "invalid_event", "eventType must be a string"),
                Arguments.of("data is a string", bytes("[" + good().replaceFirst("\"data\":\\{.*\\},\"dataVersion\"", "\"data\":\"x\",\"dataVersion\"") + "]"), "application/json", 400, "invalid_event", "data must be an object"),
                Arguments.of("deviceId is a number", bytes(bad("\"deviceId\":\"victim\"", "\"deviceId\":12")), "application/json", 400, "invalid_event", "data.deviceId must be a string"),
                Arguments.of("sequenceNumber is a number", bytes(bad("\"" + seq + "\"", "12345")), "application/json", 400, "invalid_event", "sequenceNumber must be a string"),
                Arguments.of("missing data", bytes("[" + good().replaceFirst("\"data\":\\{.*\\},\"dataVersion\"", "\"dataVersion\"") + "]"), "application/json", 400, "invalid_event", "data is missing"),
                Arguments.of("missing deviceId", bytes(bad("\"deviceId\":\"victim\"", "\"other\":\"victim\"")), "application/json", 400, "invalid_event", "data.deviceId is missing"),
                Arguments.of("missing eventType", bytes(bad("\"eventType\":", "\"kind\":")), "application/json", 400, "invalid_event", "eventType"),
                Arguments.of("missing sequenceNumber", bytes(bad("\"sequenceNumber\":", "\"sequence\":")), "application/json", 400, "invalid_sequence_number", "missing"),
                Arguments.of("missing eventTime", bytes(bad("\"eventTime\":", "\"when\":")), "application/json", 400, "invalid_event_time", "missing"),
                Arguments.of("non-hex sequenceNumber", bytes(bad(seq, seq.substring(0, 63) + "Z")), "application/json", 400, "invalid_sequence_number", "64 hexadecimal"),
                Arguments.of("short sequenceNumber", bytes(bad(seq, seq.substring(1))), "application/json", 400, "invalid_sequence_number", "64 hexadecimal"),
                Arguments.of("unparsable eventTime", bytes(bad(T.toString(), "02/06/2018 19:17")), "application/json", 400, "invalid_event_time", "ISO-8601"),
                Arguments.of("invalid hub name", bytes(bad("\"hubName\":\"hub-new\"", "\"hubName\":\"hub new!\"")), "application/json", 400, "invalid_hub", "hub name"),
                Arguments.of("deviceId of 129 characters", bytes(bad("\"deviceId\":\"victim\"", "\"deviceId\":\"" + "x".repeat(129) + "\"")), "application/json", 400, "invalid_device_id", "at most 128"),
                Arguments.of("deviceId with a control character", bytes(bad("\"deviceId\":\"victim\"", "\"deviceId\":\"vic\\u0000tim\"")), "application/json", 400, "invalid_device_id", "character"),
                Arguments.of("20,000-deep nesting", bytes("[".repeat(20_000) + "]".repeat(20_000)), "application/json", 400, "malformed_json", "limit"),
                Arguments.of("deep nesting inside an event", bytes("[{\"eventType\":\"Microsoft.Devices.DeviceConnected\",\"x\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}]"), "application/json", 400, "malformed_json", "limit"),
                Arguments.of("oversized body", bytes("[" + (good() + ",").repeat(3000) + good() + "]"), "application/json", 413, "too_large", "webhook.maxBodyBytes"),
                Arguments.of("wrong content type", bytes("[" + good() + "]"), "text/plain", 415, "unsupported_media_type", "Content-Type"),
                Arguments.of("form content type", bytes("[" + good() + "]"), "application/x-www-form-urlencoded", 415, "unsupported_media_type", "Content-Type"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRefusedClearlyAndChangesNothing(String name, byte[] body, String contentType, int status, String reason,
                                                   String messagePart) throws Exception {
        String before = stateLines(exporter.metrics());
        double rejectedBefore = exporter.metric("iothub_events_rejected_total", "source", "webhook", "reason", reason);
        HttpResponse<String> r = exporter.send(HttpRequest.newBuilder(URI.create(exporter.base + "/api/eventgrid"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(status);
        String error = new JsonObject(r.body()).getString("error");
        assertThat(error).as(name).isNotBlank().contains(messagePart);
        assertThat(exporter.metric("iothub_events_rejected_total", "source", "webhook", "reason", reason))
                .as(name + " counted").isGreaterThan(rejectedBefore);
        assertThat(stateLines(exporter.metrics())).as(name + " changed no state").isEqualTo(before);
        assertThat(exporter.get("/healthz").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theSameBadEventNextToAGoodOneIsCountedWhileTheGoodOneApplies(String name, byte[] body, String contentType, int status,
                                                                     String reason, String messagePart) throws Exception {
        String text = new String(body, StandardCharsets.UTF_8);
        if (status != 400 || reason.equals("malformed_json") || !text.startsWith("[{") || !text.endsWith("}]") || text.length() > 100_000) {
            return; // only element-level problems can sit next to a good event
        }
        String device = "neighbour-" + Math.abs(name.hashCode());
        String mixed = "[" + TestEvents.eventGrid("hub-mixed", device, null, true, 1, T) + "," + text.substring(1);
        HttpResponse<String> r = exporter.post("/api/eventgrid", mixed, contentType);
        assertThat(r.statusCode()).as(name).isEqualTo(200);
        JsonObject out = new JsonObject(r.body());
        assertThat(out.getInteger("applied")).as(name).isEqualTo(1);
        assertThat(out.getInteger("rejected")).as(name).isPositive();
        assertThat(new JsonObject(exporter.get("/api/devices/hub-mixed/" + device).body()).getBoolean("connected")).isTrue();
    }

    @org.junit.jupiter.api.Test
    void aDeviceIdOfExactly128CharactersIsAccepted() throws Exception {
        String id = "d".repeat(128);
        var r = exporter.post("/api/eventgrid", "[" + TestEvents.eventGrid("hub-long", id, null, true, 1, T) + "]", "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(exporter.get("/api/devices/hub-long/" + id).statusCode()).isEqualTo(200);
    }

    private static String stateLines(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("iothub_devices_") || l.startsWith("iothub_connection_events_total"))
                .filter(l -> !l.contains("hub-mixed") && !l.contains("hub-long")).sorted().collect(Collectors.joining("\n"));
    }
}
