package io.github.iothubexporter.ingest;

import io.github.iothubexporter.TestEvents;
import io.github.iothubexporter.model.ConnectionEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventGridParserTest {
    private final EventGridParser parser = new EventGridParser();
    private static final Instant T = Instant.parse("2018-06-02T19:17:44.438Z");

    private ParsedBatch parse(String body) throws BodyException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return parser.parse(b, 0, b.length);
    }

    @Test
    void documentedEventGridSample() throws Exception {
        ParsedBatch b = parse("""
                [{
                  "id": "f6bbf8f4-d365-520d-a878-17bf7238abd8",
                  "topic": "/SUBSCRIPTIONS/<subscription-id>/RESOURCEGROUPS/<rg>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub-name>",
                  "subject": "devices/thermostat-01",
                  "eventType": "Microsoft.Devices.DeviceDisconnected",
                  "eventTime": "2018-06-02T19:17:44.4383997Z",
                  "data": {
                    "deviceConnectionStateEventInfo": {
                      "sequenceNumber": "000000000000000001D4132452F67CE200000002000000000000000000000001"
                    },
                    "hubName": "egtesthub1",
                    "deviceId": "thermostat-01",
                    "moduleId": "tempSensorModule"
                  },
                  "dataVersion": "1",
                  "metadataVersion": "1"
                }]""");
        assertThat(b.rejections()).isEmpty();
        ConnectionEvent e = b.events().get(0);
        assertThat(e.hub()).isEqualTo("egtesthub1");
        assertThat(e.deviceId()).isEqualTo("thermostat-01");
        assertThat(e.moduleId()).isEqualTo("tempSensorModule");
        assertThat(e.connected()).isFalse();
        assertThat(e.eventTimeMillis()).isEqualTo(Instant.parse("2018-06-02T19:17:44.438Z").toEpochMilli());
    }

    @Test
    void cloudEventsSingleObjectAndArray() throws Exception {
        String ce = TestEvents.cloudEvent("MyHub", "dev-1", null, true, 5, T);
        assertThat(parse(ce).events()).singleElement().satisfies(e -> {
            assertThat(e.hub()).isEqualTo("myhub");
            assertThat(e.connected()).isTrue();
            assertThat(e.moduleId()).isEmpty();
        });
        assertThat(parse("[" + ce + "," + ce + "]").events()).hasSize(2);
    }

    @Test
    void eventGridSingleObjectIsAcceptedToo() throws Exception {
        assertThat(parse(TestEvents.eventGrid("h", "d", "", true, 1, T)).events()).hasSize(1);
    }

    @Test
    void fieldOrderDoesNotMatter() throws Exception {
        String body = "[{\"data\":{\"deviceId\":\"d1\",\"hubName\":\"H\",\"deviceConnectionStateEventInfo\":{\"sequenceNumber\":\""
                + TestEvents.seq(9) + "\"}},\"eventTime\":\"2018-07-03T23:20:11.6921933+00:00\","
                + "\"eventType\":\"Microsoft.Devices.DeviceConnected\",\"unknown\":[1,{\"x\":[]}]}]";
        assertThat(parse(body).events()).singleElement().satisfies(e -> assertThat(e.hub()).isEqualTo("h"));
    }

    @Test
    void hubFallsBackToTheTopic() throws Exception {
        String body = "[{\"topic\":\"" + TestEvents.topic("FromTopic") + "\",\"eventType\":\"Microsoft.Devices.DeviceConnected\","
                + "\"eventTime\":\"2018-06-02T19:17:44Z\",\"data\":{\"deviceId\":\"d\",\"deviceConnectionStateEventInfo\":"
                + "{\"sequenceNumber\":\"" + TestEvents.seq(1) + "\"}}}]";
        assertThat(parse(body).events().get(0).hub()).isEqualTo("fromtopic");
    }

    @Test
    void moduleIdMissingEmptyOrNullMeanDevice() throws Exception {
        String missing = TestEvents.eventGrid("h", "d", null, true, 1, T);
        String empty = TestEvents.eventGrid("h", "d", "", true, 1, T);
        String nul = missing.replace("\"deviceId\":\"d\"", "\"deviceId\":\"d\",\"moduleId\":null");
        for (String s : List.of(missing, empty, nul)) {
            assertThat(parse("[" + s + "]").events().get(0).moduleId()).isEmpty();
        }
    }

    @Test
    void validationHandshake() throws Exception {
        ParsedBatch b = parse(TestEvents.validation("512d38b6-c7b8-40c8-89fe-f46f9e9622b6"));
        assertThat(b.validationCode()).isEqualTo("512d38b6-c7b8-40c8-89fe-f46f9e9622b6");
        assertThat(b.events()).isEmpty();
    }

    @Test
    void otherEventTypesAreSkippedNotRejected() throws Exception {
        String telemetry = "{\"eventType\":\"Microsoft.Devices.DeviceTelemetry\",\"data\":{\"body\":{}}}";
        String created = "{\"eventType\":\"Microsoft.Devices.DeviceCreated\",\"data\":{\"deviceId\":\"x\"}}";
        ParsedBatch b = parse("[" + telemetry + "," + created + "," + TestEvents.eventGrid("h", "d", null, true, 1, T) + "]");
        assertThat(b.skipped()).isEqualTo(2);
        assertThat(b.rejections()).isEmpty();
        assertThat(b.events()).hasSize(1);
    }

    @Test
    void badEventsAreRejectedWithReasonAndRawRangeWhileGoodOnesParse() throws Exception {
        String good = TestEvents.eventGrid("h", "good", null, true, 1, T);
        String badSeq = TestEvents.eventGrid("h", "bad", null, true, 1, T).replace(TestEvents.seq(1), "XYZ");
        String body = "[" + good + "," + badSeq + ",42]";
        ParsedBatch b = parse(body);
        assertThat(b.events()).extracting(ConnectionEvent::deviceId).containsExactly("good");
        assertThat(b.rejections()).extracting(Rejection::reason)
                .containsExactly(RejectReason.INVALID_SEQUENCE_NUMBER, RejectReason.INVALID_EVENT);
        Rejection r = b.rejections().get(0);
        assertThat(body.substring(r.rawStart(), r.rawEnd())).isEqualTo(badSeq);
        assertThat(r.message()).contains("event[1]").contains("64 hexadecimal");
    }

    @Test
    void malformedBodiesThrow() {
        assertThatThrownBy(() -> parse("[{\"eventType\":")).isInstanceOf(BodyException.class)
                .extracting(e -> ((BodyException) e).reason()).isEqualTo(RejectReason.MALFORMED_JSON);
        assertThatThrownBy(() -> parse("null")).isInstanceOf(BodyException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> parse("[]")).isInstanceOf(BodyException.class).hasMessageContaining("empty array");
        assertThatThrownBy(() -> parse("[1] [2]")).isInstanceOf(BodyException.class);
        assertThatThrownBy(() -> parse("[".repeat(20_000) + "]".repeat(20_000))).isInstanceOf(BodyException.class)
                .hasMessageContaining("limit");
    }
}
