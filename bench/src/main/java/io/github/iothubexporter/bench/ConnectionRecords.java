package io.github.iothubexporter.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;

/**
 * Realistic IoT Hub Connections records for the benchmarks, in the documented wire format
 * (shared/reference/iothub-facts.md §4.1): properties as a JSON string, authType a JSON string inside it, a mix of
 * SDKs, connects and disconnect errors. Deterministic for a seed.
 */
final class ConnectionRecords {
    static final String[] SDKS = {
            ".NET/1.42.3 (.NET 8.0.4; Linux 5.15.0-1057-azure #65-Ubuntu SMP; X64)",
            "com.microsoft.azure.sdk.iot.iot-device-client/2.5.0 (17.0.9; Linux; amd64)",
            "azure-iot-device/1.18.3 (node v18.19.0; Ubuntu 22.04; x64)",
            "azure-iot-device-iothub-py/2.13.0(3.10.12;Linux #1 SMP PREEMPT_DYNAMIC Thu (Ubuntu);x86_64)",
            "iothubclient/1.13.0 (native; Linux; armv7l)",
            "azsdk-c/1.5.0"};
    static final String[][] ERRORS = {{"401003", "IoTHubUnauthorized"}, {"404104", "DeviceConnectionClosedRemotely"},
            {"400027", "ConnectionForcefullyClosedOnNewConnection"}, {"500001", "ServerError"}};
    static final String RESOURCE = "/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/IOT-PROD/PROVIDERS/"
            + "MICROSOFT.DEVICES/IOTHUBS/CONTOSO-HUB-WEU";

    /** The fields of one record; {@code properties} is the JSON text that goes into properties / properties_s. */
    record Fields(String time, String operation, String level, String resultType, String resultDescription, String properties) {
    }

    private ConnectionRecords() {
    }

    static Fields fields(Random rnd, int i, Instant time) {
        boolean connect = rnd.nextBoolean();
        boolean error = !connect && rnd.nextInt(3) > 0;
        String[] err = ERRORS[rnd.nextInt(ERRORS.length)];
        String device = "sensor-" + String.format("%06d", rnd.nextInt(100_000));
        String properties = "{\"deviceId\":\"" + device + "\"" + (connect ? ",\"sdkVersion\":\"" + SDKS[i % SDKS.length] + "\"" : "")
                + ",\"protocol\":\"" + (rnd.nextInt(5) == 0 ? "Amqp" : "Mqtt") + "\",\"authType\":" + (connect
                ? "\"{\\\"scope\\\":\\\"device\\\",\\\"type\\\":\\\"sas\\\",\\\"issuer\\\":\\\"iothub\\\",\\\"acceptingIpFilterRule\\\":null}\""
                : "null") + ",\"maskedIpAddress\":\"73.162." + rnd.nextInt(256) + ".XXX\",\"statusCode\":"
                + (error ? "\"" + err[0].substring(0, 3) + "\"" : "null") + "}";
        return new Fields(time.toString(), connect ? "deviceConnect" : "deviceDisconnect", error ? "Error" : "Information",
                error ? err[0] : "", error ? err[1] : "", properties);
    }

    /** A {"records":[...]} body as Event Hubs delivers it from a diagnostic setting. */
    static byte[] recordsBody(int count, long seed) {
        Random rnd = new Random(seed);
        StringBuilder b = new StringBuilder(count * 700).append("{\"records\":[");
        Instant t = Instant.parse("2026-03-01T10:00:00.1234567Z");
        for (int i = 0; i < count; i++) {
            Fields f = fields(rnd, i, t.plusMillis(i * 37L));
            b.append(i == 0 ? "" : ",").append("{\"time\":\"").append(f.time()).append("\",\"resourceId\":\"").append(RESOURCE)
                    .append("\",\"operationName\":\"").append(f.operation()).append("\",\"category\":\"Connections\",\"level\":\"")
                    .append(f.level()).append('"');
            if (!f.resultType().isEmpty()) {
                b.append(",\"resultType\":\"").append(f.resultType()).append("\",\"resultDescription\":\"")
                        .append(f.resultDescription()).append('"');
            }
            b.append(",\"properties\":\"").append(f.properties().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\",\"location\":\"westeurope\"}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
