package io.github.iothubexporter.logs;

import io.github.iothubexporter.ingest.BodyException;
import io.github.iothubexporter.ingest.RejectReason;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionLogParserTest {
    private final ConnectionLogParser parser = new ConnectionLogParser();
    static final String RID = "/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/CONTOSO-HUB";

    private ParsedRecords parse(String body) throws BodyException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return parser.parseRecordsBody(b, 0, b.length);
    }

    /** The documented Event Hubs body (iothub-facts.md §4.1): properties and authType are JSON strings. */
    @Test
    void documentedRecordsBody() throws Exception {
        ParsedRecords r = parse("""
                { "records": [
                  { "time": "2018-12-17T18:11:25Z",
                    "resourceId": "%1$s",
                    "operationName": "deviceConnect",
                    "category": "Connections",
                    "level": "Information",
                    "properties": "{\\"deviceId\\":\\"Contoso-Test-Device\\",\\"sdkVersion\\":\\".NET/1.21.2 (.NET Framework 4.8; Windows; X86)\\",\\"protocol\\":\\"Mqtt\\",\\"authType\\":\\"{\\\\\\"scope\\\\\\":\\\\\\"device\\\\\\",\\\\\\"type\\\\\\":\\\\\\"sas\\\\\\",\\\\\\"issuer\\\\\\":\\\\\\"iothub\\\\\\",\\\\\\"acceptingIpFilterRule\\\\\\":null}\\",\\"maskedIpAddress\\":\\"73.162.215.XXX\\",\\"statusCode\\":null}",
                    "location": "westus" },
                  { "time": "2018-12-17T18:19:25Z",
                    "resourceId": "%1$s",
                    "operationName": "deviceDisconnect",
                    "category": "Connections",
                    "level": "Error",
                    "resultType": "404104",
                    "resultDescription": "DeviceConnectionClosedRemotely",
                    "properties": "{\\"deviceId\\":\\"Contoso-Test-Device\\",\\"protocol\\":\\"Mqtt\\",\\"authType\\":null,\\"maskedIpAddress\\":\\"73.162.215.XXX\\",\\"statusCode\\":\\"404\\"}",
                    "location": "westus" }
                ]}""".formatted(RID));
        assertThat(r.rejections()).isEmpty();
        assertThat(r.records()).hasSize(2);
        ConnectionLogRecord c = r.records().get(0);
        assertThat(c).isEqualTo(new ConnectionLogRecord(Instant.parse("2018-12-17T18:11:25Z").toEpochMilli(), "contoso-hub",
                "Contoso-Test-Device", "", "deviceConnect", false, "", "", ".NET/1.21.2 (.NET Framework 4.8; Windows; X86)",
                "Mqtt", "sas"));
        ConnectionLogRecord d = r.records().get(1);
        assertThat(d.error()).isTrue();
        assertThat(d.operation()).isEqualTo("deviceDisconnect");
        assertThat(d.resultType()).isEqualTo("404104");
        assertThat(d.resultDescription()).isEqualTo("DeviceConnectionClosedRemotely");
        assertThat(d.sdkVersion()).isEmpty();
        assertThat(d.authType()).isEmpty();
    }

    /** The 2018 tutorial shows properties as an object; authType as an object too; resultType as a number. */
    @Test
    void propertiesAndAuthTypeAsObjectsAndNumericResultType() throws Exception {
        ParsedRecords r = parse("""
                {"records":[{"time":"2024-05-01T10:15:40.1234567Z","resourceId":"%s","operationName":"deviceDisconnect",
                 "category":"Connections","level":"Error","resultType":401003,"resultDescription":"IoTHubUnauthorized",
                 "durationMs":"0","newField":{"nested":[1,2,{"x":null}]},
                 "properties":{"deviceId":"d1","moduleId":"m1","protocol":"Amqp","authType":{"scope":"module","type":"x509"},
                   "sdkVersion":"iothubclient/1.13.0","unknown":[true]}}]}""".formatted(RID));
        assertThat(r.rejections()).isEmpty();
        ConnectionLogRecord rec = r.records().get(0);
        assertThat(rec.timeMillis()).isEqualTo(Instant.parse("2024-05-01T10:15:40.123Z").toEpochMilli());
        assertThat(rec.moduleId()).isEqualTo("m1");
        assertThat(rec.resultType()).isEqualTo("401003");
        assertThat(rec.authType()).isEqualTo("x509");
        assertThat(rec.protocol()).isEqualTo("Amqp");
    }

    @Test
    void otherCategoriesAreSkippedAndBadRecordsRejectedWithoutLosingGoodOnes() throws Exception {
        String good = "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\"" + RID + "\",\"operationName\":\"deviceConnect\","
                + "\"category\":\"Connections\",\"level\":\"Information\",\"properties\":\"{\\\"deviceId\\\":\\\"ok\\\"}\"}";
        ParsedRecords r = parse("{\"records\":[" + String.join(",",
                good,
                "{\"time\":\"2024-05-01T10:00:00Z\",\"resourceId\":\"" + RID + "\",\"operationName\":\"d2c\",\"category\":\"Routes\"}",
                good.replace("2024-05-01T10:00:00Z", "yesterday"),
                good.replace("\\\"deviceId\\\":\\\"ok\\\"", "\\\"protocol\\\":\\\"Mqtt\\\""),
                good.replace("IOTHUBS/CONTOSO-HUB", "STORAGEACCOUNTS/X"),
                good.replace("\"{\\\"deviceId\\\":\\\"ok\\\"}\"", "\"{not json\""),
                good.replace("\"operationName\":\"deviceConnect\",", ""),
                "42") + "]}");
        assertThat(r.records()).hasSize(1);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.rejections()).extracting(x -> x.reason()).containsExactly(RejectReason.INVALID_EVENT_TIME,
                RejectReason.INVALID_DEVICE_ID, RejectReason.INVALID_HUB, RejectReason.INVALID_EVENT, RejectReason.INVALID_EVENT,
                RejectReason.INVALID_EVENT);
        assertThat(r.rejections().get(0).message()).startsWith("records[2]: ").contains("time");
        assertThat(r.rejections().get(3).message()).contains("properties is not valid JSON");
        // offsets point at the offending record
        String body = "{\"records\":[" + good + "," + good.replace("2024-05-01T10:00:00Z", "later") + "]}";
        var rej = parse(body).rejections().get(0);
        assertThat(body.substring(rej.rawStart(), rej.rawEnd())).startsWith("{").endsWith("}").contains("later");
    }

    @Test
    void bodyLevelProblemsThrow() {
        assertThatThrownBy(() -> parse("")).isInstanceOf(BodyException.class);
        assertThatThrownBy(() -> parse("{\"records\":[")).isInstanceOf(BodyException.class).hasMessageContaining("end-of-input");
        assertThatThrownBy(() -> parse("{\"records\":{}}")).hasMessageContaining("must be an array");
        assertThatThrownBy(() -> parse("\"x\"")).hasMessageContaining("expected {\"records\"");
        assertThatThrownBy(() -> parse("{\"records\":[]} []")).hasMessageContaining("after the JSON value");
        assertThatThrownBy(() -> parse("{\"records\":[{]}")).isInstanceOf(BodyException.class)
                .satisfies(e -> assertThat(((BodyException) e).reason()).isEqualTo(RejectReason.MALFORMED_JSON));
    }

    @Test
    void bareArrayAndSingleRecordAreAccepted() throws Exception {
        String rec = "{\"TimeGenerated\":\"2024-05-01T10:00:00Z\",\"_ResourceId\":\"" + RID.toLowerCase()
                + "\",\"OperationName\":\"deviceconnect\",\"Level\":\"Information\",\"properties_s\":\"{\\\"deviceId\\\":\\\"d\\\"}\"}";
        assertThat(parse("[" + rec + "," + rec + "]").records()).hasSize(2);
        ConnectionLogRecord one = parse(rec).records().get(0);
        assertThat(one.hub()).isEqualTo("contoso-hub");
        assertThat(one.operation()).isEqualTo(ConnectionLogRecord.DEVICE_CONNECT);
    }

    @Test
    void logAnalyticsRows() throws Exception {
        ConnectionLogRecord r = parser.parseRow("2024-05-01T10:15:40.1234567Z", RID.toLowerCase(), "deviceDisconnect", "Error",
                "404104", "DeviceConnectionClosedRemotely",
                "{\"deviceId\":\"d1\",\"sdkVersion\":\"azure-iot-device/1.17.1 (node v10.16.0; Linux; x64)\",\"protocol\":\"MqttWs\","
                        + "\"authType\":\"{\\\"scope\\\":\\\"device\\\",\\\"type\\\":\\\"sas\\\",\\\"issuer\\\":\\\"iothub\\\"}\"}");
        assertThat(r.hub()).isEqualTo("contoso-hub");
        assertThat(r.error()).isTrue();
        assertThat(r.protocol()).isEqualTo("MqttWs");
        assertThat(r.authType()).isEqualTo("sas");
        assertThat(SdkVersions.parse(r.sdkVersion())).isEqualTo(new SdkInfo("node", "1.17.1"));
        ConnectionLogRecord info = parser.parseRow("2024-05-01T10:15:40Z", RID, "deviceConnect", "Information", "", null,
                "{\"deviceId\":\"d1\",\"authType\":null}");
        assertThat(info.error()).isFalse();
        assertThat(info.resultType()).isEmpty();
        assertThatThrownBy(() -> parser.parseRow("2024-05-01T10:15:40Z", RID, "deviceConnect", "Information", "", "", "{}"))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("deviceId");
        assertThatThrownBy(() -> parser.parseRow(null, RID, "deviceConnect", "Information", "", "", "{\"deviceId\":\"d\"}"))
                .hasMessageContaining("time is missing");
        assertThatThrownBy(() -> parser.parseRow("2024-05-01T10:15:40Z", RID, "deviceConnect", "Information", "", "", "[1]"))
                .hasMessageContaining("not an object");
    }

    @Test
    void hubFromResourceId() {
        assertThat(ConnectionLogParser.hubFromResourceId(RID)).isEqualTo("CONTOSO-HUB");
        assertThat(ConnectionLogParser.hubFromResourceId(RID.toLowerCase() + "/extra")).isEqualTo("contoso-hub");
        assertThat(ConnectionLogParser.hubFromResourceId("/subscriptions/x")).isNull();
    }
}
