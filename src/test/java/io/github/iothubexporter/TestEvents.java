package io.github.iothubexporter;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Builds connection events in the documented wire formats (shared/reference/iothub-facts.md §1). */
public final class TestEvents {
    private TestEvents() {
    }

    public static String seq(long n) {
        return String.format("000000000000000001D4132452F67CE200000002%024X", n);
    }

    public static String topic(String hub) {
        return "/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/"
                + hub.toUpperCase(Locale.ROOT);
    }

    /** One Event Grid schema event object. {@code module}: null = field absent. */
    public static String eventGrid(String hub, String device, String module, boolean connected, long seq, Instant time) {
        return "{\"id\":\"" + java.util.UUID.randomUUID() + "\",\"topic\":\"" + topic(hub) + "\",\"subject\":\"devices/" + device
                + "\",\"eventType\":\"Microsoft.Devices.Device" + (connected ? "Connected" : "Disconnected")
                + "\",\"eventTime\":\"" + time + "\",\"data\":{\"deviceConnectionStateEventInfo\":{\"sequenceNumber\":\""
                + seq(seq) + "\"},\"hubName\":\"" + hub + "\",\"deviceId\":\"" + device + "\""
                + (module == null ? "" : ",\"moduleId\":\"" + module + "\"")
                + "},\"dataVersion\":\"1\",\"metadataVersion\":\"1\"}";
    }

    /** One CloudEvents 1.0 event object. */
    public static String cloudEvent(String hub, String device, String module, boolean connected, long seq, Instant time) {
        return "{\"id\":\"" + java.util.UUID.randomUUID() + "\",\"source\":\"" + topic(hub) + "\",\"subject\":\"devices/" + device
                + "\",\"type\":\"Microsoft.Devices.Device" + (connected ? "Connected" : "Disconnected")
                + "\",\"time\":\"" + time + "\",\"data\":{\"deviceConnectionStateEventInfo\":{\"sequenceNumber\":\""
                + seq(seq) + "\"},\"hubName\":\"" + hub + "\",\"deviceId\":\"" + device + "\""
                + (module == null ? "" : ",\"moduleId\":\"" + module + "\"")
                + "},\"specversion\":\"1.0\"}";
    }

    public static String array(List<String> events) {
        return "[" + String.join(",", events) + "]";
    }

    public static String validation(String code) {
        return "[{\"id\":\"2d1781af-3a4c-4d7c-bd0c-e34b19da4e66\",\"topic\":\"/subscriptions/x\",\"subject\":\"\","
                + "\"data\":{\"validationCode\":\"" + code + "\",\"validationUrl\":\"https://rp-eastus2.eventgrid.azure.net:553/x\"},"
                + "\"eventType\":\"Microsoft.EventGrid.SubscriptionValidationEvent\",\"eventTime\":\"2022-10-28T04:23:35.1981776Z\","
                + "\"metadataVersion\":\"1\",\"dataVersion\":\"1\"}]";
    }

    /** The body of an IoT Hub routing message from DeviceConnectionStateEvents. */
    public static String routingBody(long seq) {
        return "{\"sequenceNumber\":\"" + seq(seq) + "\"}";
    }

    /** The application properties of such a message (iothub-facts §3.2). {@code module}: null = absent. */
    public static java.util.Map<String, Object> routingProperties(String hub, String device, String module, boolean connected,
                                                                  Instant time) {
        java.util.Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("hubName", hub);
        p.put("deviceId", device);
        if (module != null) {
            p.put("moduleId", module);
        }
        p.put("opType", (module == null ? "device" : "module") + (connected ? "Connected" : "Disconnected"));
        p.put("iothub-message-schema", "deviceConnectionStateNotification");
        if (time != null) {
            p.put("operationTimestamp", time.toString());
        }
        return p;
    }

    /** The annotations IoT Hub routing adds. */
    public static java.util.Map<String, Object> routingAnnotations(String device) {
        return java.util.Map.of("iothub-message-source", "deviceConnectionStateEvents", "iothub-connection-device-id", device);
    }

    /** A resource-log body as a diagnostic setting streams it (iothub-facts §4.1). */
    public static String resourceLogs(String hub, String device) {
        return "{\"records\":[{\"time\":\"2018-12-17T18:11:25Z\",\"resourceId\":\"" + topic(hub) + "\","
                + "\"operationName\":\"deviceConnect\",\"category\":\"Connections\",\"level\":\"Information\","
                + "\"properties\":\"{\\\"deviceId\\\":\\\"" + device + "\\\",\\\"protocol\\\":\\\"Mqtt\\\"}\","
                + "\"location\":\"westus\"}]}";
    }
}
