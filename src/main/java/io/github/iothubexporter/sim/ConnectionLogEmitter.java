package io.github.iothubexporter.sim;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes the IoT Hub {@code Connections} resource-log records that go with the simulated fleet's behaviour,
 * in the documented {@code {"records":[...]}} shape (properties as a JSON string, authType a string inside it),
 * and releases each one after a Log Analytics-like ingestion delay (minutes, with a tail).
 * Its own random stream, so the connection-state events are the same with logs on or off.
 */
final class ConnectionLogEmitter {
    private static final int BATCH = 200;
    /** authType is itself a JSON text inside the properties JSON (iothub-facts §4.1). */
    private static final String AUTH_TYPE = quote("{\"scope\":\"device\",\"type\":\"sas\",\"issuer\":\"iothub\",\"acceptingIpFilterRule\":null}");

    private final FleetSimulator.LogSink sink;
    private final Random rnd;
    private final String[] hubNames;
    private final TreeMap<Long, List<String>> byIngestion = new TreeMap<>();
    private long emitted;

    ConnectionLogEmitter(FleetSimulator.LogSink sink, long seed, String[] hubNames) {
        this.sink = sink;
        this.rnd = new Random(seed ^ 0x5DEECE66DL);
        this.hubNames = hubNames;
    }

    long emitted() {
        return emitted;
    }

    void connected(FleetSimulator.Fleet f, int d, long time) {
        SdkProfile sdk = SdkProfile.values()[f.sdk[d]];
        String protocol = f.protocol(d);
        String version = sdk.versions()[f.version[d]];
        record(f, d, time, "deviceConnect", null, null,
                "\"sdkVersion\":" + quote(sdk.sdkVersion(version, protocol)) + ",\"protocol\":" + quote(protocol)
                        + ",\"authType\":" + AUTH_TYPE + ",\"maskedIpAddress\":" + quote(ip(d)) + ",\"statusCode\":null");
    }

    /** The records of a drop: what the hub logs depends on why the device went away and on its SDK. */
    void dropped(FleetSimulator.Fleet f, int d, long time, byte cause) {
        together(() -> droppedRecords(f, d, time, cause));
    }

    private void droppedRecords(FleetSimulator.Fleet f, int d, long time, byte cause) {
        SdkProfile sdk = SdkProfile.values()[f.sdk[d]];
        switch (cause) {
            case FleetSimulator.RENEWAL -> {
                if (sdk == SdkProfile.DOTNET || sdk == SdkProfile.JAVA) {
                    // the token expired: the hub refuses it, then the device side sees the connection closed
                    error(f, d, time - 800 - rnd.nextInt(400), 401003, "IoTHubUnauthorized", "401");
                    error(f, d, time, 404104, "DeviceConnectionClosedRemotely", "404");
                } else {
                    clean(f, d, time); // Node.js, Python and Embedded C close cleanly to renew
                }
            }
            case FleetSimulator.DUPLICATE -> error(f, d, time, 400027, "ConnectionForcefullyClosedOnNewConnection", "400");
            case FleetSimulator.MASS -> {
                int r = rnd.nextInt(3);
                if (r == 0) {
                    error(f, d, time, 500001, "ServerError", "500");
                } else if (r == 1) {
                    error(f, d, time, 500008, "GenericTimeout", "500");
                } else {
                    error(f, d, time, 404104, "DeviceConnectionClosedRemotely", "404");
                }
            }
            // the hub gave up on a silent device at its keep-alive timeout (iothub-facts §5, 404104 cause b)
            case FleetSimulator.KEEPALIVE -> error(f, d, time, 404104, "DeviceConnectionClosedRemotely", "404");
            default -> error(f, d, time, 404104, "DeviceConnectionClosedRemotely", "404"); // TCP reset, crash
        }
    }

    /** A device whose key is wrong keeps trying to connect. */
    void authFailure(FleetSimulator.Fleet f, int d, long time) {
        SdkProfile sdk = SdkProfile.values()[f.sdk[d]];
        record(f, d, time, "deviceConnect", "401003", "IoTHubUnauthorized",
                "\"sdkVersion\":" + quote(sdk.sdkVersion(sdk.versions()[0], f.protocol(d))) + ",\"protocol\":" + quote(f.protocol(d))
                        + ",\"authType\":null,\"maskedIpAddress\":" + quote(ip(d)) + ",\"statusCode\":\"401\"");
    }

    private void clean(FleetSimulator.Fleet f, int d, long time) {
        record(f, d, time, "deviceDisconnect", null, null,
                "\"protocol\":" + quote(f.protocol(d)) + ",\"authType\":null,\"maskedIpAddress\":" + quote(ip(d))
                        + ",\"statusCode\":null");
    }

    private void error(FleetSimulator.Fleet f, int d, long time, int code, String name, String status) {
        record(f, d, time, "deviceDisconnect", Integer.toString(code), name,
                "\"protocol\":" + quote(f.protocol(d)) + ",\"authType\":null,\"maskedIpAddress\":" + quote(ip(d))
                        + ",\"statusCode\":" + quote(status));
    }

    /** {@code propertiesTail}: the inner JSON's fields after deviceId/moduleId, as plain JSON. */
    private void record(FleetSimulator.Fleet f, int d, long time, String operation, String resultType, String resultDescription,
                        String propertiesTail) {
        String hub = hubNames[f.hub[d]].toUpperCase(java.util.Locale.ROOT);
        String module = f.moduleId(d);
        String properties = "{\"deviceId\":" + quote(f.deviceId(d)) + (module.isEmpty() ? "" : ",\"moduleId\":" + quote(module))
                + "," + propertiesTail + "}";
        StringBuilder sb = new StringBuilder(600);
        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(time))
                .append("\",\"resourceId\":\"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/SIMULATION/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/")
                .append(hub).append("\",\"operationName\":\"").append(operation)
                .append("\",\"category\":\"Connections\",\"level\":\"").append(resultType == null ? "Information" : "Error").append('"');
        if (resultType != null) {
            sb.append(",\"resultType\":\"").append(resultType).append("\",\"resultDescription\":\"").append(resultDescription).append('"');
        }
        sb.append(",\"properties\":").append(quote(properties)).append(",\"location\":\"westeurope\"}");
        long ingested = time + nextDelay();
        byIngestion.computeIfAbsent(ingested / 1000, k -> new ArrayList<>()).add(sb.toString());
    }

    /** The records of one moment (a drop's 401003 and 404104) travel together; see {@link #together}. */
    private long sharedDelay = -1;

    private long nextDelay() {
        if (sharedDelay >= 0) {
            return sharedDelay;
        }
        // Log Analytics ingestion: typically 2-8 minutes, sometimes much later
        double minutes = rnd.nextInt(50) == 0 ? 10 + rnd.nextDouble() * 20 : 2 + rnd.nextDouble() * 6;
        return (long) (minutes * 60_000);
    }

    private void together(Runnable records) {
        sharedDelay = -1;
        sharedDelay = nextDelay();
        try {
            records.run();
        } finally {
            sharedDelay = -1;
        }
    }

    /** Delivers every record ingested by {@code now}, oldest first. */
    void deliverDue(long now) {
        List<String> due = new ArrayList<>();
        while (!byIngestion.isEmpty() && byIngestion.firstKey() <= now / 1000) {
            Map.Entry<Long, List<String>> e = byIngestion.pollFirstEntry();
            due.addAll(e.getValue());
        }
        for (int i = 0; i < due.size(); i += BATCH) {
            List<String> part = due.subList(i, Math.min(due.size(), i + BATCH));
            emitted += part.size();
            sink.deliver(("{\"records\":[" + String.join(",", part) + "]}").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String ip(int d) {
        return "10." + ((d >> 16) & 0xff) + "." + ((d >> 8) & 0xff) + ".XXX";
    }

    /** A JSON string literal of {@code s}. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
