package io.github.iothubexporter.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.github.iothubexporter.ingest.BodyException;
import io.github.iothubexporter.ingest.JsonMessages;
import io.github.iothubexporter.ingest.RejectReason;
import io.github.iothubexporter.ingest.Rejection;
import io.github.iothubexporter.model.EventTimes;
import io.github.iothubexporter.model.Identifiers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one parser of IoT Hub {@code Connections} resource-log records, whatever carries them: Log Analytics
 * rows ({@link #parseRow}) and {@code {"records":[...]}} bodies from Event Hubs or the simulator
 * ({@link #parseRecordsBody}). Reads straight from bytes with Jackson's streaming parser; no trees.
 * <p>
 * Tolerates what the documentation and real dumps disagree on (shared/reference/iothub-facts.md §4):
 * {@code properties} (or the Log Analytics column {@code properties_s}) as a JSON <em>string</em> or as an
 * object; {@code authType} inside it as another JSON string, an object, or null; {@code level}
 * {@code Information} / {@code Error}; {@code resultType} as a string or a number; field names of the
 * resource-log schema ({@code time}, {@code resourceId}) or of the AzureDiagnostics table
 * ({@code TimeGenerated}, {@code _ResourceId}); unknown fields are skipped. Records of other categories
 * are counted as skipped, not rejected. Thread-safe.
 */
public final class ConnectionLogParser {
    static final String CATEGORY = "Connections";
    private static final JsonFactory FACTORY = JsonMessages.BOUNDED;

    private static final ThreadLocal<Fields> SCRATCH = ThreadLocal.withInitial(Fields::new);

    /** {"records":[...]} body (Event Hubs / simulator). Also accepts a bare array of records or one record object. */
    public ParsedRecords parseRecordsBody(byte[] body, int off, int len) throws BodyException {
        List<ConnectionLogRecord> records = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>(0);
        int skipped = 0;
        Fields f = SCRATCH.get();
        try (JsonParser p = FACTORY.createParser(body, off, len)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new BodyException(RejectReason.INVALID_BODY, "body is empty; expected {\"records\":[...]}");
            }
            boolean sawRecords = false;
            if (t == JsonToken.START_OBJECT) {
                // either the envelope {"records":[...]} or one record
                int objStart = (int) p.currentTokenLocation().getByteOffset();
                JsonToken n = p.nextToken();
                if (n == JsonToken.FIELD_NAME && "records".equals(p.currentName())) {
                    if (p.nextToken() != JsonToken.START_ARRAY) {
                        throw new BodyException(RejectReason.INVALID_BODY, "\"records\" must be an array");
                    }
                    sawRecords = true;
                    int index = 0;
                    JsonToken e;
                    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (e == null) {
                            throw new BodyException(RejectReason.MALFORMED_JSON, "body ends before the records array is closed");
                        }
                        skipped += element(p, e, f, "records[" + index + "]", records, rejections);
                        index++;
                    }
                    // tolerate other envelope fields after the array
                    JsonToken after;
                    while ((after = p.nextToken()) == JsonToken.FIELD_NAME) {
                        p.nextToken();
                        p.skipChildren();
                    }
                    if (after != JsonToken.END_OBJECT) {
                        throw new BodyException(RejectReason.MALFORMED_JSON, "unexpected token after the records array");
                    }
                } else {
                    // a single record: its first field name is already read
                    f.reset();
                    readRecordFields(p, n, f);
                    skipped += finish(f, "record", objStart, (int) p.currentLocation().getByteOffset(), records, rejections);
                    sawRecords = true;
                }
            } else if (t == JsonToken.START_ARRAY) {
                sawRecords = true;
                int index = 0;
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (e == null) {
                        throw new BodyException(RejectReason.MALFORMED_JSON, "body ends before the array is closed");
                    }
                    skipped += element(p, e, f, "records[" + index + "]", records, rejections);
                    index++;
                }
            }
            if (!sawRecords) {
                throw new BodyException(RejectReason.INVALID_BODY, "body is JSON " + JsonMessages.describe(t) + "; expected {\"records\":[...]}");
            }
            if (p.nextToken() != null) {
                throw new BodyException(RejectReason.MALFORMED_JSON,
                        "unexpected content after the JSON value at byte " + p.currentTokenLocation().getByteOffset());
            }
        } catch (StreamConstraintsException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "body exceeds a parser limit: " + JsonMessages.firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "malformed JSON at byte "
                    + e.getLocation().getByteOffset() + ": " + JsonMessages.firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new BodyException(RejectReason.MALFORMED_JSON, "unreadable body: " + JsonMessages.firstLine(e.getMessage()));
        }
        return new ParsedRecords(records, rejections, skipped);
    }

    private static int element(JsonParser p, JsonToken e, Fields f, String where, List<ConnectionLogRecord> records,
                               List<Rejection> rejections) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (e != JsonToken.START_OBJECT) {
            p.skipChildren();
            rejections.add(new Rejection(RejectReason.INVALID_EVENT, where + " is " + JsonMessages.describe(e) + ", not an object",
                    start, (int) p.currentLocation().getByteOffset()));
            return 0;
        }
        f.reset();
        readRecordFields(p, p.nextToken(), f);
        return finish(f, where, start, (int) p.currentLocation().getByteOffset(), records, rejections);
    }

    private static int finish(Fields f, String where, int start, int end, List<ConnectionLogRecord> records,
                              List<Rejection> rejections) {
        if (f.category != null && !CATEGORY.equalsIgnoreCase(f.category)) {
            return 1;
        }
        try {
            records.add(f.toRecord());
        } catch (RecordRejectedException ex) {
            rejections.add(new Rejection(ex.reason(), where + ": " + ex.getMessage(), start, end));
        }
        return 0;
    }

    /**
     * One row of the Log Analytics query (AzureDiagnostics columns as text; null or "" when empty).
     *
     * @throws RecordRejectedException when the row is not a usable Connections record
     */
    public ConnectionLogRecord parseRow(String timeGenerated, String resourceId, String operationName, String level,
                                        String resultType, String resultDescription, String properties)
            throws RecordRejectedException {
        Fields f = SCRATCH.get();
        f.reset();
        if (timeGenerated != null) {
            f.timeSeen = true;
            f.timeMillis = EventTimes.parseMillis(timeGenerated);
        }
        f.resourceId = resourceId;
        f.operation = operationName == null ? null : f.interner.intern(operationName);
        f.level = level == null ? null : f.interner.intern(level);
        f.resultType = resultType == null ? null : f.interner.intern(resultType);
        f.resultDescription = resultDescription == null ? null : f.interner.intern(resultDescription);
        if (properties != null && !properties.isEmpty()) {
            char[] chars = properties.toCharArray();
            parseNestedProperties(chars, 0, chars.length, f);
        }
        return f.toRecord();
    }

    private static void readRecordFields(JsonParser p, JsonToken first, Fields f) throws IOException {
        JsonToken t = first;
        while (t == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "time", "TimeGenerated", "timeGenerated", "Time" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        f.timeSeen = true;
                        f.timeMillis = EventTimes.parseMillis(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                    } else if (v != JsonToken.VALUE_NULL) {
                        f.typeError("time must be a string");
                        p.skipChildren();
                    }
                }
                case "resourceId", "_ResourceId", "ResourceId", "resourceID" -> f.resourceId = text(p, v, f, name, false);
                case "operationName", "OperationName" -> f.operation = text(p, v, f, name, true);
                case "category", "Category" -> f.category = text(p, v, f, name, true);
                case "level", "Level" -> f.level = text(p, v, f, name, true);
                case "resultType", "ResultType" -> f.resultType = text(p, v, f, name, true);
                case "resultDescription", "ResultDescription" -> f.resultDescription = text(p, v, f, name, true);
                case "properties", "properties_s", "Properties" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        parseNestedProperties(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), f);
                    } else if (v == JsonToken.START_OBJECT) {
                        readProperties(p, f);
                    } else if (v != JsonToken.VALUE_NULL) {
                        f.typeError("properties must be an object or a JSON string, not " + JsonMessages.describe(v));
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
            t = p.nextToken();
        }
        if (t != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    /** properties as a JSON string: parse its text, which must be an object. */
    private static void parseNestedProperties(char[] buf, int off, int len, Fields f) {
        if (len == 0) {
            return;
        }
        try (JsonParser q = FACTORY.createParser(buf, off, len)) {
            JsonToken t = q.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                return;
            }
            if (t != JsonToken.START_OBJECT) {
                f.propertiesError("properties holds JSON " + JsonMessages.describe(t) + ", not an object");
                return;
            }
            readProperties(q, f);
            if (q.nextToken() != null) {
                f.propertiesError("properties holds more than one JSON value");
            }
        } catch (IOException e) {
            f.propertiesError("properties is not valid JSON: " + JsonMessages.firstLine(e instanceof JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private static void readProperties(JsonParser p, Fields f) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "deviceId" -> f.deviceId = text(p, v, f, "properties.deviceId", false);
                case "moduleId" -> f.moduleId = text(p, v, f, "properties.moduleId", true);
                case "sdkVersion" -> f.sdkVersion = text(p, v, f, "properties.sdkVersion", true);
                case "protocol" -> f.protocol = text(p, v, f, "properties.protocol", true);
                case "authType" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        f.authType = authTypeFromText(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), f);
                    } else if (v == JsonToken.START_OBJECT) {
                        f.authType = authTypeFromObject(p, f);
                    } else {
                        p.skipChildren(); // null, or a shape nobody documented: not worth rejecting a record for
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    /** authType as a JSON string: {"scope":"device","type":"sas",...}; a bare word is taken as the type. */
    private static String authTypeFromText(char[] buf, int off, int len, Fields f) {
        int i = off;
        while (i < off + len && Character.isWhitespace(buf[i])) {
            i++;
        }
        if (i == off + len) {
            return "";
        }
        if (buf[i] != '{') {
            return len <= 32 ? f.interner.intern(buf, off, len) : "";
        }
        try (JsonParser q = FACTORY.createParser(buf, off, len)) {
            if (q.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            return authTypeFromObject(q, f);
        } catch (IOException e) {
            return ""; // unreadable authType: the record is still usable
        }
    }

    private static String authTypeFromObject(JsonParser p, Fields f) throws IOException {
        String type = "";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            JsonToken v = p.nextToken();
            if ("type".equals(p.currentName()) && v == JsonToken.VALUE_STRING) {
                type = f.interner.intern(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            } else {
                p.skipChildren();
            }
        }
        return type;
    }

    /** A string (or, tolerated, a number or boolean as its text); null JSON = absent; other types are errors. */
    private static String text(JsonParser p, JsonToken v, Fields f, String field, boolean intern) throws IOException {
        switch (v) {
            case VALUE_STRING:
                return intern ? f.interner.intern(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()) : p.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
                return f.interner.intern(p.getText());
            case VALUE_NULL:
                return null;
            default:
                f.typeError(field + " must be a string, not " + JsonMessages.describe(v));
                p.skipChildren();
                return null;
        }
    }

    /** "/SUBSCRIPTIONS/…/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub>[/…]" → hub as written, or null. */
    static String hubFromResourceId(String resourceId) {
        if (resourceId == null) {
            return null;
        }
        String marker = "/iothubs/";
        for (int i = resourceId.length() - marker.length(); i >= 0; i--) {
            if (resourceId.regionMatches(true, i, marker, 0, marker.length())) {
                int from = i + marker.length();
                int slash = resourceId.indexOf('/', from);
                return resourceId.substring(from, slash < 0 ? resourceId.length() : slash);
            }
        }
        return null;
    }

    /** Scratch fields of one record, reused (one per thread). */
    private static final class Fields {
        final Interner interner = new Interner();
        private String lastHubRaw;
        private String lastHub;
        boolean timeSeen;
        long timeMillis;
        String resourceId;
        String operation;
        String category;
        String level;
        String resultType;
        String resultDescription;
        String deviceId;
        String moduleId;
        String sdkVersion;
        String protocol;
        String authType;
        String typeError;
        String propertiesError;

        void reset() {
            timeSeen = false;
            timeMillis = EventTimes.INVALID;
            resourceId = operation = category = level = resultType = resultDescription = null;
            deviceId = moduleId = sdkVersion = protocol = authType = typeError = propertiesError = null;
        }

        void typeError(String message) {
            if (typeError == null) {
                typeError = message;
            }
        }

        void propertiesError(String message) {
            if (propertiesError == null) {
                propertiesError = message;
            }
        }

        ConnectionLogRecord toRecord() throws RecordRejectedException {
            if (typeError != null) {
                throw new RecordRejectedException(RejectReason.INVALID_EVENT, typeError);
            }
            if (propertiesError != null) {
                throw new RecordRejectedException(RejectReason.INVALID_EVENT, propertiesError);
            }
            if (!timeSeen) {
                throw new RecordRejectedException(RejectReason.INVALID_EVENT_TIME, "time is missing");
            }
            if (timeMillis == EventTimes.INVALID) {
                throw new RecordRejectedException(RejectReason.INVALID_EVENT_TIME, "time is not an ISO-8601 time with a zone");
            }
            if (operation == null || operation.isEmpty()) {
                throw new RecordRejectedException(RejectReason.INVALID_EVENT, "operationName is missing");
            }
            String hub = hub();
            if (deviceId == null) {
                throw new RecordRejectedException(RejectReason.INVALID_DEVICE_ID, "properties.deviceId is missing");
            }
            String problem = Identifiers.checkId("properties.deviceId", deviceId, false);
            if (problem != null) {
                throw new RecordRejectedException(RejectReason.INVALID_DEVICE_ID, problem);
            }
            String module = moduleId == null ? "" : moduleId;
            problem = Identifiers.checkId("properties.moduleId", module, true);
            if (problem != null) {
                throw new RecordRejectedException(RejectReason.INVALID_DEVICE_ID, problem);
            }
            String op = operation.equalsIgnoreCase(ConnectionLogRecord.DEVICE_CONNECT) ? ConnectionLogRecord.DEVICE_CONNECT
                    : operation.equalsIgnoreCase(ConnectionLogRecord.DEVICE_DISCONNECT) ? ConnectionLogRecord.DEVICE_DISCONNECT
                    : operation;
            boolean error = level != null && level.equalsIgnoreCase("Error");
            return new ConnectionLogRecord(timeMillis, hub, deviceId, module, op, error, nz(resultType),
                    nz(resultDescription), nz(sdkVersion), nz(protocol), nz(authType));
        }

        private String hub() throws RecordRejectedException {
            if (resourceId != null && resourceId.equals(lastHubRaw)) {
                return lastHub;
            }
            String raw = hubFromResourceId(resourceId);
            if (raw == null) {
                throw new RecordRejectedException(RejectReason.INVALID_HUB,
                        resourceId == null ? "resourceId is missing" : "resourceId names no IoT hub");
            }
            String problem = Identifiers.checkHub(raw);
            if (problem != null) {
                throw new RecordRejectedException(RejectReason.INVALID_HUB, problem);
            }
            lastHubRaw = resourceId;
            lastHub = interner.intern(raw.toLowerCase(Locale.ROOT));
            return lastHub;
        }

        private static String nz(String s) {
            return s == null ? "" : s;
        }
    }
}
