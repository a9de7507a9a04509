package io.github.iothubexporter.ingest;

import io.github.iothubexporter.TestEvents;
import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventTimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class EventHubsMessageDecoderTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00.1234567Z");
    private static final long ENQUEUED = Instant.parse("2026-11-26T10:00:13Z").toEpochMilli();
    private final EventHubsMessageDecoder decoder = new EventHubsMessageDecoder();

    private static Map<String, Object> routing(String hub, String device, String module, boolean connected, Instant time) {
        return TestEvents.routingProperties(hub, device, module, connected, time);
    }

    private static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
        Map<String, Object> c = new HashMap<>(m);
        if (value == null) {
            c.remove(key);
        } else {
            c.put(key, value);
        }
        return c;
    }

    private static final Map<String, Object> SRC = TestEvents.routingAnnotations("d1");

    /** body, application properties, system properties → format, events, first rejection reason (or null), skipped. */
    static Stream<Arguments> table() {
        String eg = TestEvents.eventGrid("hub-a", "d1", null, true, 1, T0);
        String ce = TestEvents.cloudEvent("hub-a", "d1", null, false, 1, T0);
        Map<String, Object> rt = routing("Hub-A", "d1", null, true, T0);
        return Stream.of(
                arguments("event grid array", TestEvents.array(List.of(eg, eg)), Map.of(), Map.of(), EventHubsFormat.EVENTGRID, 2, null, 0),
                arguments("event grid single", eg, Map.of(), Map.of(), EventHubsFormat.EVENTGRID, 1, null, 0),
                arguments("cloudevents single", ce, Map.of(), Map.of(), EventHubsFormat.CLOUDEVENTS, 1, null, 0),
                arguments("cloudevents array", TestEvents.array(List.of(ce, ce, ce)), Map.of(), Map.of(), EventHubsFormat.CLOUDEVENTS, 3, null, 0),
                arguments("event grid array, one bad event", TestEvents.array(List.of(eg,
                        TestEvents.eventGrid("hub-a", "d 2", null, true, 1, T0))), Map.of(), Map.of(), EventHubsFormat.EVENTGRID, 1,
                        RejectReason.INVALID_DEVICE_ID, 0),
                arguments("other Event Grid event type", eg.replace("DeviceConnected", "DeviceCreated"), Map.of(), Map.of(),
                        EventHubsFormat.EVENTGRID, 0, null, 1),
                arguments("routing message", TestEvents.routingBody(7), rt, SRC, EventHubsFormat.IOTHUB_ROUTING, 1, null, 0),
                arguments("routing module message", TestEvents.routingBody(7), routing("hub-a", "d1", "m1", false, T0), SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 1, null, 0),
                arguments("routing without the annotation, by schema property", TestEvents.routingBody(7), rt, Map.of(),
                        EventHubsFormat.IOTHUB_ROUTING, 1, null, 0),
                arguments("routing: device id from the connection annotation", TestEvents.routingBody(7),
                        with(rt, "deviceId", null), SRC, EventHubsFormat.IOTHUB_ROUTING, 1, null, 0),
                arguments("routing: no opType", TestEvents.routingBody(7), with(rt, "opType", null), SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_EVENT, 0),
                arguments("routing: unknown opType", TestEvents.routingBody(7), with(rt, "opType", "deviceCreated"), SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, null, 1),
                arguments("routing: no hub", TestEvents.routingBody(7), with(rt, "hubName", null), SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_HUB, 0),
                arguments("routing: bad hub", TestEvents.routingBody(7), with(rt, "hubName", "hub_a!"), SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_HUB, 0),
                arguments("routing: bad device", TestEvents.routingBody(7), with(rt, "deviceId", "a/b"), SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_DEVICE_ID, 0),
                arguments("routing: device id not a string", TestEvents.routingBody(7), with(rt, "deviceId", 42), SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_EVENT, 0),
                arguments("routing: bad module", TestEvents.routingBody(7), with(rt, "moduleId", "m m"), SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_DEVICE_ID, 0),
                arguments("routing: short sequence number", "{\"sequenceNumber\":\"01D4\"}", rt, SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_SEQUENCE_NUMBER, 0),
                arguments("routing: numeric sequence number", "{\"sequenceNumber\":7}", rt, SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_SEQUENCE_NUMBER, 0),
                arguments("routing: body without sequence number", "{}", rt, SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_SEQUENCE_NUMBER, 0),
                arguments("routing: body not JSON", "seq", rt, SRC,
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.MALFORMED_JSON, 0),
                arguments("routing: bad operationTimestamp", TestEvents.routingBody(7), with(rt, "operationTimestamp", "yesterday"),
                        SRC, EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_EVENT_TIME, 0),
                arguments("routing body whose properties were lost", TestEvents.routingBody(7), Map.of(), Map.of(),
                        EventHubsFormat.IOTHUB_ROUTING, 0, RejectReason.INVALID_EVENT, 0),
                arguments("telemetry routed to the same hub", "{\"temperature\":21}", Map.of(),
                        Map.of("iothub-message-source", "Telemetry"), EventHubsFormat.OTHER, 0, null, 1),
                arguments("twin change routed to the same hub", "{\"properties\":{}}", Map.of("opType", "updateTwin"),
                        Map.of("iothub-message-source", "twinChangeEvents"), EventHubsFormat.OTHER, 0, null, 1),
                arguments("resource logs", TestEvents.resourceLogs("hub-a", "d1"), Map.of(), Map.of(),
                        EventHubsFormat.RESOURCE_LOGS, 0, null, 0),
                arguments("not JSON", "hello", Map.of(), Map.of(), EventHubsFormat.UNKNOWN, 0, RejectReason.MALFORMED_JSON, 0),
                arguments("truncated JSON", "{\"id\":\"x\",", Map.of(), Map.of(), EventHubsFormat.UNKNOWN, 0, RejectReason.MALFORMED_JSON, 0),
                arguments("empty body", "", Map.of(), Map.of(), EventHubsFormat.UNKNOWN, 0, RejectReason.INVALID_BODY, 0),
                arguments("JSON number", "42", Map.of(), Map.of(), EventHubsFormat.UNKNOWN, 0, RejectReason.INVALID_BODY, 0),
                arguments("unrecognised object", "{\"id\":\"x\",\"value\":1}", Map.of(), Map.of(), EventHubsFormat.UNKNOWN, 0,
                        RejectReason.INVALID_BODY, 0),
                arguments("empty array", "[]", Map.of(), Map.of(), EventHubsFormat.EVENTGRID, 0, RejectReason.INVALID_BODY, 0),
                arguments("array of numbers", "[1,2]", Map.of(), Map.of(), EventHubsFormat.EVENTGRID, 0, RejectReason.INVALID_EVENT, 0),
                arguments("event grid with bad JSON after the telling field", "{\"eventType\":\"x\",", Map.of(), Map.of(),
                        EventHubsFormat.EVENTGRID, 0, RejectReason.MALFORMED_JSON, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decodes(String name, String body, Map<String, Object> props, Map<String, Object> sys, EventHubsFormat format,
                 int events, RejectReason rejected, int skipped) {
        EventHubsMessageDecoder.Decoded d = decoder.decode(body.getBytes(StandardCharsets.UTF_8), props, sys, ENQUEUED);
        assertThat(d.format()).isEqualTo(format);
        assertThat(d.events()).hasSize(events);
        if (rejected == null) {
            assertThat(d.rejections()).isEmpty();
        } else {
            assertThat(d.rejections()).isNotEmpty();
            assertThat(d.rejections().get(0).reason()).isEqualTo(rejected);
            assertThat(d.rejections().get(0).message()).isNotBlank();
        }
        assertThat(d.skipped()).isEqualTo(skipped);
    }

    @Test
    void routingMessageBecomesAConnectionEvent() {
        EventHubsMessageDecoder.Decoded d = decoder.decode(TestEvents.routingBody(0x2A).getBytes(StandardCharsets.UTF_8),
                routing("MyHub", "dev-1", "mod-1", false, T0), SRC, ENQUEUED);
        ConnectionEvent e = d.events().get(0);
        assertThat(e.hub()).isEqualTo("myhub");
        assertThat(e.deviceId()).isEqualTo("dev-1");
        assertThat(e.moduleId()).isEqualTo("mod-1");
        assertThat(e.connected()).isFalse();
        assertThat(e.sequenceNumber().toHex()).isEqualTo(TestEvents.seq(0x2A));
        assertThat(e.eventTimeMillis()).isEqualTo(T0.toEpochMilli());
    }

    @Test
    void routingEventTimeFallsBackToTheEnqueuedTime() {
        EventHubsMessageDecoder.Decoded d = decoder.decode(TestEvents.routingBody(1).getBytes(StandardCharsets.UTF_8),
                routing("hub", "dev-1", null, true, null), SRC, ENQUEUED);
        assertThat(d.events().get(0).eventTimeMillis()).isEqualTo(ENQUEUED);
        assertThat(d.events().get(0).moduleId()).isEmpty();
        EventHubsMessageDecoder.Decoded none = decoder.decode(TestEvents.routingBody(1).getBytes(StandardCharsets.UTF_8),
                routing("hub", "dev-1", null, true, null), SRC, EventTimes.INVALID);
        assertThat(none.rejections()).extracting(Rejection::reason).containsExactly(RejectReason.INVALID_EVENT_TIME);
    }

    @Test
    void eventGridRejectionsPointAtTheBadElement() {
        String bad = TestEvents.eventGrid("hub-a", "d 2", null, true, 1, T0);
        String body = TestEvents.array(List.of(TestEvents.eventGrid("hub-a", "d1", null, true, 1, T0), bad));
        Rejection r = decoder.decode(body.getBytes(StandardCharsets.UTF_8), Map.of(), Map.of(), ENQUEUED).rejections().get(0);
        assertThat(body.substring(r.rawStart(), r.rawEnd())).isEqualTo(bad);
    }
}
