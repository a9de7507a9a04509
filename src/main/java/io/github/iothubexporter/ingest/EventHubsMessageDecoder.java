package io.github.iothubexporter.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventTimes;
import io.github.iothubexporter.model.Identifiers;
import io.github.iothubexporter.model.SequenceNumber;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tells apart, per Event Hubs message, the bodies that land in an event hub (DESIGN §3.2) and decodes the
 * connection-state ones into {@link ConnectionEvent}s:
 * <ul>
 *   <li>IoT Hub routing messages from {@code DeviceConnectionStateEvents}: recognised by the
 *       {@code iothub-message-source} annotation (or the {@code opType} + {@code iothub-message-schema}
 *       application properties); identity and operation in the application properties, the sequence number
 *       in the body;</li>
 *   <li>Event Grid schema and CloudEvents 1.0 events, an array or a single object (decoded by
 *       {@link EventGridParser}, so validation is the webhook's);</li>
 *   <li>resource logs {@code {"records":[...]}}: handed to a {@link ResourceLogSink} by the caller;</li>
 *   <li>other IoT Hub routing sources (telemetry, twin changes): skipped.</li>
 * </ul>
 * The body is sniffed with the streaming parser, stopping at the first telling field name. Thread-safe.
 */
public final class EventHubsMessageDecoder {
    public static final String MESSAGE_SOURCE = "iothub-message-source";
    public static final String CONNECTION_STATE_SOURCE = "deviceConnectionStateEvents";
    public static final String MESSAGE_SCHEMA = "iothub-message-schema";
    public static final String CONNECTION_STATE_SCHEMA = "deviceConnectionStateNotification";

    private static final JsonFactory FACTORY = JsonMessages.BOUNDED;

    private final EventGridParser eventGrid = new EventGridParser();

    /**
     * What one message held.
     *
     * @param format     the detected format
     * @param events     valid connection events
     * @param rejections unusable parts; {@code rawStart < 0} means the whole body
     * @param skipped    well-formed events or messages that are not connection-state events
     */
    public record Decoded(EventHubsFormat format, List<ConnectionEvent> events, List<Rejection> rejections, int skipped) {
        static Decoded reject(EventHubsFormat format, RejectReason reason, String message) {
            return new Decoded(format, List.of(), List.of(new Rejection(reason, message, -1, -1)), 0);
        }

        static Decoded skip(EventHubsFormat format) {
            return new Decoded(format, List.of(), List.of(), 1);
        }
    }

    /**
     * @param body             the message body
     * @param properties       the application properties ({@code EventData.getProperties()})
     * @param systemProperties annotations and AMQP properties ({@code EventData.getSystemProperties()})
     * @param enqueuedMillis   the message's enqueued time, the event time of a routing message without
     *                         {@code operationTimestamp}
     */
    public Decoded decode(byte[] body, Map<String, Object> properties, Map<String, Object> systemProperties,
                          long enqueuedMillis) {
        Object source = systemProperties.get(MESSAGE_SOURCE);
        if (source == null) {
            source = properties.get(MESSAGE_SOURCE);
        }
        if (source != null) {
            if (CONNECTION_STATE_SOURCE.equalsIgnoreCase(source.toString())) {
                return routing(body, properties, systemProperties, enqueuedMillis);
            }
            return Decoded.skip(EventHubsFormat.OTHER); // telemetry, twin changes...: not ours
        }
        if (properties.containsKey("opType") && CONNECTION_STATE_SCHEMA.equals(String.valueOf(properties.get(MESSAGE_SCHEMA)))) {
            return routing(body, properties, systemProperties, enqueuedMillis);
        }
        EventHubsFormat format;
        try {
            format = sniff(body);
        } catch (BodyException e) {
            return Decoded.reject(EventHubsFormat.UNKNOWN, e.reason(), e.getMessage());
        }
        switch (format) {
            case RESOURCE_LOGS:
                return new Decoded(format, List.of(), List.of(), 0);
            case IOTHUB_ROUTING:
                return routing(body, properties, systemProperties, enqueuedMillis);
            case UNKNOWN:
                return Decoded.reject(format, RejectReason.INVALID_BODY, "body is neither Event Grid nor CloudEvents events, "
                        + "an IoT Hub routing message nor resource logs");
            default:
                try {
                    ParsedBatch b = eventGrid.parse(body, 0, body.length);
                    // a validation event cannot reach an event hub usefully: count it as skipped
                    return new Decoded(format, b.events(), b.rejections(), b.skipped() + (b.validationCode() != null ? 1 : 0));
                } catch (BodyException e) {
                    return Decoded.reject(format, e.reason(), e.getMessage());
                }
        }
    }

    /** Looks at the first object's field names (the first element's, for an array) until one tells the format. */
    static EventHubsFormat sniff(byte[] body) throws BodyException {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new BodyException(RejectReason.INVALID_BODY, "body is empty");
            }
            boolean array = t == JsonToken.START_ARRAY;
            if (array) {
                t = p.nextToken();
                if (t != JsonToken.START_OBJECT) {
                    return EventHubsFormat.EVENTGRID; // let the parser name the problem (empty array, not objects...)
                }
            } else if (t != JsonToken.START_OBJECT) {
                throw new BodyException(RejectReason.INVALID_BODY, "body is JSON " + JsonMessages.describe(t)
                        + "; expected an object or an array of events");
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                switch (name) {
                    case "records":
                        if (!array) {
                            return EventHubsFormat.RESOURCE_LOGS;
                        }
                        break;
                    case "specversion", "type", "source":
                        return EventHubsFormat.CLOUDEVENTS;
                    case "eventType", "topic", "eventTime", "dataVersion", "metadataVersion":
                        return EventHubsFormat.EVENTGRID;
                    case "sequenceNumber":
                        if (!array) {
                            return EventHubsFormat.IOTHUB_ROUTING; // a routing body whose properties were lost
                        }
                        break;
                    default:
                        break;
                }
                p.nextToken();
                p.skipChildren();
            }
            return EventHubsFormat.UNKNOWN;
        } catch (JsonProcessingException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "malformed JSON at byte "
                    + e.getLocation().getByteOffset() + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "unreadable body: " + firstLine(e.getMessage()));
        }
    }

    /** A DeviceConnectionStateEvents routing message: iothub-facts §3.2. */
    private static Decoded routing(byte[] body, Map<String, Object> props, Map<String, Object> sys, long enqueuedMillis) {
        EventHubsFormat f = EventHubsFormat.IOTHUB_ROUTING;
        Object opType = props.get("opType");
        if (opType == null) {
            return Decoded.reject(f, RejectReason.INVALID_EVENT, "application property opType is missing");
        }
        if (!(opType instanceof String op)) {
            return Decoded.reject(f, RejectReason.INVALID_EVENT, "application property opType must be a string");
        }
        boolean connected;
        switch (op) {
            case "deviceConnected", "moduleConnected" -> connected = true;
            case "deviceDisconnected", "moduleDisconnected" -> connected = false;
            default -> {
                return Decoded.skip(f); // another operation of the source, if IoT Hub ever adds one
            }
        }
        String[] problem = new String[1];
        String deviceId = stringProperty(props, "deviceId", problem);
        if (deviceId == null && problem[0] == null) {
            deviceId = stringProperty(sys, "iothub-connection-device-id", problem);
        }
        if (problem[0] != null) {
            return Decoded.reject(f, RejectReason.INVALID_EVENT, problem[0]);
        }
        if (deviceId == null) {
            return Decoded.reject(f, RejectReason.INVALID_EVENT, "application property deviceId is missing");
        }
        String bad = Identifiers.checkId("deviceId", deviceId, false);
        if (bad != null) {
            return Decoded.reject(f, RejectReason.INVALID_DEVICE_ID, bad);
        }
        String moduleId = stringProperty(props, "moduleId", problem);
        if (moduleId == null && problem[0] == null) {
            moduleId = stringProperty(sys, "iothub-connection-module-id", problem);
        }
        if (problem[0] != null) {
            return Decoded.reject(f, RejectReason.INVALID_EVENT, problem[0]);
        }
        if (moduleId == null) {
            moduleId = "";
        }
        bad = Identifiers.checkId("moduleId", moduleId, true);
        if (bad != null) {
            return Decoded.reject(f, RejectReason.INVALID_DEVICE_ID, bad);
        }
        String hub = stringProperty(props, "hubName", problem);
        if (problem[0] != null) {
            return Decoded.reject(f, RejectReason.INVALID_HUB, problem[0]);
        }
        if (hub == null) {
            return Decoded.reject(f, RejectReason.INVALID_HUB, "application property hubName is missing");
        }
        bad = Identifiers.checkHub(hub);
        if (bad != null) {
            return Decoded.reject(f, RejectReason.INVALID_HUB, bad);
        }
        SequenceNumber seq;
        try {
            seq = routingSequence(body);
        } catch (BodyException e) {
            return Decoded.reject(f, e.reason(), e.getMessage());
        }
        long time;
        String ts = stringProperty(props, "operationTimestamp", problem);
        if (problem[0] != null) {
            return Decoded.reject(f, RejectReason.INVALID_EVENT_TIME, problem[0]);
        }
        if (ts != null) {
            time = EventTimes.parseMillis(ts);
            if (time == EventTimes.INVALID) {
                return Decoded.reject(f, RejectReason.INVALID_EVENT_TIME, "operationTimestamp is not an ISO-8601 time with a zone");
            }
        } else if (enqueuedMillis != EventTimes.INVALID) {
            time = enqueuedMillis;
        } else {
            return Decoded.reject(f, RejectReason.INVALID_EVENT_TIME, "no operationTimestamp and no enqueued time");
        }
        return new Decoded(f, List.of(new ConnectionEvent(hub.toLowerCase(Locale.ROOT), deviceId, moduleId, connected, seq, time)),
                List.of(), 0);
    }

    private static String stringProperty(Map<String, Object> map, String key, String[] problem) {
        Object v = map.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        problem[0] = "property " + key + " must be a string, not " + v.getClass().getSimpleName();
        return null;
    }

    /** {@code {"sequenceNumber":"<64 hex>"}}; other fields are ignored. */
    static SequenceNumber routingSequence(byte[] body) throws BodyException {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new BodyException(RejectReason.INVALID_BODY, "routing message body must be a JSON object with sequenceNumber");
            }
            SequenceNumber seq = null;
            boolean seen = false;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("sequenceNumber".equals(name)) {
                    seen = true;
                    if (v != JsonToken.VALUE_STRING) {
                        throw new BodyException(RejectReason.INVALID_SEQUENCE_NUMBER, "sequenceNumber must be a string");
                    }
                    seq = SequenceNumber.parseOrNull(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new BodyException(RejectReason.MALFORMED_JSON, "malformed routing message body");
            }
            if (!seen) {
                throw new BodyException(RejectReason.INVALID_SEQUENCE_NUMBER, "routing message body has no sequenceNumber");
            }
            if (seq == null) {
                throw new BodyException(RejectReason.INVALID_SEQUENCE_NUMBER, "sequenceNumber must be exactly 64 hexadecimal digits");
            }
            return seq;
        } catch (JsonProcessingException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "malformed JSON at byte "
                    + e.getLocation().getByteOffset() + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "unreadable body: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
