package io.github.iothubexporter.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventTimes;
import io.github.iothubexporter.model.Identifiers;
import io.github.iothubexporter.model.SequenceNumber;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses Event Grid schema and CloudEvents 1.0 bodies (an array of events or a single event) straight
 * from bytes with Jackson's streaming parser into {@link ConnectionEvent}s: no intermediate tree.
 * Both schemas carry the same IoT Hub {@code data}; only the envelope names differ
 * (topic/source, eventType/type, eventTime/time). Thread-safe.
 */
public final class EventGridParser {
    public static final String CONNECTED = "Microsoft.Devices.DeviceConnected";
    public static final String DISCONNECTED = "Microsoft.Devices.DeviceDisconnected";
    public static final String VALIDATION = "Microsoft.EventGrid.SubscriptionValidationEvent";
    private static final JsonFactory FACTORY = JsonMessages.BOUNDED;

    /** Parses one body. Element-level problems become rejections; body-level ones throw. */
    public ParsedBatch parse(byte[] body, int off, int len) throws BodyException {
        List<ConnectionEvent> events = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>(0);
        Envelope env = new Envelope();
        int skipped = 0;
        String validationCode = null;
        try (JsonParser p = FACTORY.createParser(body, off, len)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new BodyException(RejectReason.INVALID_BODY, "body is empty; expected a JSON array of events or one event object");
            }
            boolean array = t == JsonToken.START_ARRAY;
            if (!array && t != JsonToken.START_OBJECT) {
                throw new BodyException(RejectReason.INVALID_BODY,
                        "body is JSON " + JsonMessages.describe(t) + "; expected an array of events or one event object");
            }
            int index = 0;
            JsonToken elem = array ? p.nextToken() : t;
            while (elem != null && elem != JsonToken.END_ARRAY) {
                int start = (int) p.currentTokenLocation().getByteOffset();
                if (elem != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    int end = (int) p.currentLocation().getByteOffset();
                    rejections.add(new Rejection(RejectReason.INVALID_EVENT,
                            (array ? "event[" + index + "]" : "event") + " is " + JsonMessages.describe(elem) + ", not an object", start, end));
                } else {
                    env.reset();
                    readEnvelope(p, env);
                    int end = (int) p.currentLocation().getByteOffset();
                    if (env.hubName == null && env.topicPending) {
                        env.topic = topicOf(body, off + start, end - start);
                    }
                    Object outcome = env.toEvent(array ? index : -1);
                    if (outcome instanceof ConnectionEvent ev) {
                        events.add(ev);
                    } else if (outcome instanceof Rejection r) {
                        rejections.add(new Rejection(r.reason(), r.message(), start, end));
                    } else if (outcome == Envelope.VALIDATION_MARKER) {
                        validationCode = env.validationCode;
                    } else {
                        skipped++;
                    }
                }
                index++;
                if (!array) {
                    break;
                }
                elem = p.nextToken();
            }
            if (array && elem == null) {
                throw new BodyException(RejectReason.MALFORMED_JSON, "body ends before the array is closed");
            }
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new BodyException(RejectReason.MALFORMED_JSON,
                        "unexpected content after the JSON value at byte " + p.currentTokenLocation().getByteOffset());
            }
            if (array && index == 0) {
                throw new BodyException(RejectReason.INVALID_BODY, "body is an empty array: it holds no events");
            }
        } catch (StreamConstraintsException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "body exceeds a parser limit: " + JsonMessages.firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "malformed JSON at byte "
                    + e.getLocation().getByteOffset() + ": " + JsonMessages.firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "unreadable body: " + JsonMessages.firstLine(e.getMessage()));
        }
        return new ParsedBatch(events, rejections, skipped, validationCode);
    }

    private static void readEnvelope(JsonParser p, Envelope env) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "eventType", "type" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        env.eventType = eventType(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), p);
                    } else {
                        env.eventType = string(p, v, env, name);
                    }
                }
                case "eventTime", "time" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        env.timeMillis = EventTimes.parseMillis(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                        env.timeSeen = true;
                    } else {
                        env.typeError(name + " must be a string");
                        p.skipChildren();
                    }
                }
                case "topic", "source" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        env.topicPending = true; // decoded only if data.hubName turns out missing
                    } else {
                        string(p, v, env, name);
                    }
                }
                case "data" -> {
                    if (v == JsonToken.START_OBJECT) {
                        readData(p, env);
                    } else {
                        env.typeError("data must be an object");
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    private static void readData(JsonParser p, Envelope env) throws IOException {
        env.dataSeen = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "hubName" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        env.hubName = env.hub(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                    } else {
                        env.hubName = string(p, v, env, "data.hubName");
                    }
                }
                case "deviceId" -> env.deviceId = string(p, v, env, "data.deviceId");
                case "moduleId" -> env.moduleId = string(p, v, env, "data.moduleId");
                case "validationCode" -> env.validationCode = string(p, v, env, "data.validationCode");
                case "deviceConnectionStateEventInfo" -> {
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            JsonToken sv = p.nextToken();
                            if ("sequenceNumber".equals(p.currentName())) {
                                env.sequenceSeen = true;
                                if (sv == JsonToken.VALUE_STRING) {
                                    env.sequence = SequenceNumber.parseOrNull(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                                } else {
                                    env.typeError("data.deviceConnectionStateEventInfo.sequenceNumber must be a string");
                                    p.skipChildren();
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        env.typeError("data.deviceConnectionStateEventInfo must be an object");
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    /** Reads a string value; null JSON is treated as absent; any other type is a type error. */
    private static String string(JsonParser p, JsonToken v, Envelope env, String field) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (v != JsonToken.VALUE_NULL) {
            env.typeError(field + " must be a string, not " + JsonMessages.describe(v));
            p.skipChildren();
        }
        return null;
    }

    private static final char[] CONNECTED_CHARS = CONNECTED.toCharArray();
    private static final char[] DISCONNECTED_CHARS = DISCONNECTED.toCharArray();

    private static String eventType(char[] b, int off, int len, JsonParser p) throws IOException {
        if (len == CONNECTED_CHARS.length && java.util.Arrays.equals(b, off, off + len, CONNECTED_CHARS, 0, len)
                || equalsIgnoreCase(b, off, len, CONNECTED)) {
            return CONNECTED;
        }
        if (len == DISCONNECTED_CHARS.length && java.util.Arrays.equals(b, off, off + len, DISCONNECTED_CHARS, 0, len)
                || equalsIgnoreCase(b, off, len, DISCONNECTED)) {
            return DISCONNECTED;
        }
        return p.getText();
    }

    /** Slow path: the top-level topic (or source) of one event object, re-read from its bytes. */
    private static String topicOf(byte[] body, int start, int len) throws IOException {
        try (JsonParser q = FACTORY.createParser(body, start, len)) {
            q.nextToken();
            while (q.nextToken() == JsonToken.FIELD_NAME) {
                String name = q.currentName();
                JsonToken v = q.nextToken();
                if (("topic".equals(name) || "source".equals(name)) && v == JsonToken.VALUE_STRING) {
                    return q.getText();
                }
                q.skipChildren();
            }
        }
        return null;
    }

    static boolean equalsIgnoreCase(char[] b, int off, int len, String s) {
        if (len != s.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            char c = b[off + i];
            char d = s.charAt(i);
            if (c != d && Character.toLowerCase(c) != Character.toLowerCase(d)) {
                return false;
            }
        }
        return true;
    }

    /** Scratch fields of one event envelope, reused across a body. */
    private static final class Envelope {
        static final Object VALIDATION_MARKER = new Object();
        static final Object SKIP_MARKER = new Object();

        String eventType;
        String topic;
        boolean timeSeen;
        long timeMillis;
        boolean dataSeen;
        String hubName;
        String deviceId;
        String moduleId;
        boolean sequenceSeen;
        SequenceNumber sequence;
        String validationCode;
        String typeError;

        /** Lower-case hub names already seen in this body, so each event's hub is one shared String. */
        final String[] hubs = new String[4];

        String hub(char[] b, int off, int len) {
            for (String h : hubs) {
                if (h == null) {
                    break;
                }
                if (equalsIgnoreCase(b, off, len, h)) {
                    return h;
                }
            }
            String h = new String(b, off, len).toLowerCase(Locale.ROOT);
            if (Identifiers.checkHub(h) == null) {
                for (int i = 0; i < hubs.length; i++) {
                    if (hubs[i] == null) {
                        hubs[i] = h;
                        break;
                    }
                }
            }
            return h;
        }

        boolean topicPending;

        void reset() {
            topicPending = false;
            eventType = topic = hubName = deviceId = moduleId = validationCode = typeError = null;
            timeSeen = dataSeen = sequenceSeen = false;
            timeMillis = EventTimes.INVALID;
            sequence = null;
        }

        void typeError(String message) {
            if (typeError == null) {
                typeError = message;
            }
        }

        /** A ConnectionEvent, a Rejection, or one of the markers. */
        Object toEvent(int index) {
            this.index = index;
            if (eventType == null) {
                return typeError != null ? reject(RejectReason.INVALID_EVENT, typeError)
                        : reject(RejectReason.INVALID_EVENT, "eventType (or CloudEvents type) is missing");
            }
            boolean connected;
            if (CONNECTED.equalsIgnoreCase(eventType)) {
                connected = true;
            } else if (DISCONNECTED.equalsIgnoreCase(eventType)) {
                connected = false;
            } else if (VALIDATION.equalsIgnoreCase(eventType)) {
                if (validationCode == null) {
                    return reject(RejectReason.INVALID_EVENT, "SubscriptionValidationEvent without data.validationCode");
                }
                return VALIDATION_MARKER;
            } else {
                return SKIP_MARKER; // other IoT Hub or Event Grid event types are not ours to judge
            }
            if (typeError != null) {
                return reject(RejectReason.INVALID_EVENT, typeError);
            }
            if (!dataSeen) {
                return reject(RejectReason.INVALID_EVENT, "data is missing");
            }
            if (deviceId == null) {
                return reject(RejectReason.INVALID_EVENT, "data.deviceId is missing");
            }
            String problem = Identifiers.checkId("data.deviceId", deviceId, false);
            if (problem != null) {
                return reject(RejectReason.INVALID_DEVICE_ID, problem);
            }
            String module = moduleId == null ? "" : moduleId;
            problem = Identifiers.checkId("data.moduleId", module, true);
            if (problem != null) {
                return reject(RejectReason.INVALID_DEVICE_ID, problem);
            }
            String hub = hubName != null ? hubName : hubFromTopic(topic);
            if (hub == null) {
                return reject(RejectReason.INVALID_HUB, "data.hubName is missing and the topic names no IoT hub");
            }
            problem = Identifiers.checkHub(hub);
            if (problem != null) {
                return reject(RejectReason.INVALID_HUB, problem);
            }
            if (!sequenceSeen) {
                return reject(RejectReason.INVALID_SEQUENCE_NUMBER, "data.deviceConnectionStateEventInfo.sequenceNumber is missing");
            }
            if (sequence == null) {
                return reject(RejectReason.INVALID_SEQUENCE_NUMBER,
                        "data.deviceConnectionStateEventInfo.sequenceNumber must be exactly 64 hexadecimal digits");
            }
            if (!timeSeen) {
                return reject(RejectReason.INVALID_EVENT_TIME, "eventTime (or CloudEvents time) is missing");
            }
            if (timeMillis == EventTimes.INVALID) {
                return reject(RejectReason.INVALID_EVENT_TIME, "eventTime is not an ISO-8601 time with a zone");
            }
            return new ConnectionEvent(hub.toLowerCase(Locale.ROOT), deviceId, module, connected, sequence, timeMillis);
        }

        int index;

        private Rejection reject(RejectReason reason, String message) {
            String where = index < 0 ? "event" : "event[" + index + "]";
            return new Rejection(reason, where + ": " + message, -1, -1);
        }

        /** "/SUBSCRIPTIONS/…/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub>" → hub. */
        static String hubFromTopic(String topic) {
            if (topic == null) {
                return null;
            }
            int i = topic.toUpperCase(Locale.ROOT).lastIndexOf("/IOTHUBS/");
            if (i < 0) {
                return null;
            }
            String hub = topic.substring(i + "/IOTHUBS/".length());
            int slash = hub.indexOf('/');
            return slash >= 0 ? hub.substring(0, slash) : hub;
        }
    }
}
