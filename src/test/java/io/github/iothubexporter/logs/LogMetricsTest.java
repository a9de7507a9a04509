package io.github.iothubexporter.logs;

import io.github.iothubexporter.export.MetricsHandler;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.github.iothubexporter.app.RunningExporter.sample;
import static org.assertj.core.api.Assertions.assertThat;

class LogMetricsTest {
    @TempDir
    Path dir;
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final LogMetrics metrics = new LogMetrics(registry, 3, 1000);
    static final String DOTNET = ".NET/1.41.2 (.NET 8.0.4; Linux; X64)";
    static final String JAVA = "com.microsoft.azure.sdk.iot.iot-device-client/2.5.0 (17.0.9; Linux; amd64)";

    static ConnectionLogRecord connect(String hub, String device, long t, String sdk, String protocol) {
        return new ConnectionLogRecord(t, hub, device, "", "deviceConnect", false, "", "", sdk, protocol, "sas");
    }

    static ConnectionLogRecord error(String hub, String device, long t, String code, String sdk) {
        return new ConnectionLogRecord(t, hub, device, "", "deviceDisconnect", true, code, "x", sdk, sdk.isEmpty() ? "" : "Mqtt", "");
    }

    private String text() {
        return MetricsHandler.render(registry, TextFormat.CONTENT_TYPE_004);
    }

    @Test
    void countsRecordsAndErrorsWithSdkFromTheDeviceWhenTheRecordHasNone() {
        metrics.onRecords(List.of(
                connect("h1", "d1", 1000, DOTNET, "Mqtt"),
                error("h1", "d1", 2000, "401003", ""),
                error("h1", "d1", 2001, "404104", ""),
                error("h1", "d2", 2002, "999999", ""),
                connect("h1", "d2", 3000, JAVA, "Amqp")), "loganalytics");
        String m = text();
        assertThat(sample(m, "iothub_connection_log_records_total", "hub", "h1", "operation", "deviceConnect", "level", "Information")).isEqualTo(2);
        assertThat(sample(m, "iothub_connection_log_records_total", "hub", "h1", "operation", "deviceDisconnect", "level", "Error")).isEqualTo(3);
        assertThat(sample(m, "iothub_connection_errors_total", "hub", "h1", "code", "401003", "name", "IoTHubUnauthorized",
                "operation", "deviceDisconnect", "protocol", "Mqtt", "sdk", "dotnet", "sdk_version", "1.41", "kind", "unknown")).isEqualTo(1);
        assertThat(sample(m, "iothub_connection_errors_total", "code", "404104", "sdk", "dotnet")).isEqualTo(1);
        // d2's error came before its SDK was known; an undocumented code is "other"
        assertThat(sample(m, "iothub_connection_errors_total", "code", "other", "name", "other", "sdk", "unknown",
                "sdk_version", "unknown", "protocol", "unknown")).isEqualTo(1);
        assertThat(sample(m, "iothub_devices_by_sdk", "hub", "h1", "sdk", "dotnet", "sdk_version", "1.41", "protocol", "Mqtt")).isEqualTo(1);
        assertThat(sample(m, "iothub_devices_by_sdk", "hub", "h1", "sdk", "java", "sdk_version", "2.5", "protocol", "Amqp")).isEqualTo(1);
        assertThat(metrics.sdkOf("h1", "d2", null)).isEqualTo(new SdkInfo("java", "2.5"));
        assertThat(metrics.sdkOf("h1", "nobody", "")).isEqualTo(SdkInfo.UNKNOWN);
    }

    @Test
    void theLatestRecordByTimeWinsWhateverTheArrivalOrder() {
        metrics.count(connect("h1", "d1", 5000, JAVA, "Mqtt"), "unknown");
        metrics.count(connect("h1", "d1", 1000, DOTNET, "Mqtt"), "unknown"); // older, arrives late
        String m = text();
        assertThat(sample(m, "iothub_devices_by_sdk", "sdk", "java")).isEqualTo(1);
        assertThat(sample(m, "iothub_devices_by_sdk", "sdk", "dotnet")).isZero();
        metrics.count(connect("h1", "d1", 9000, DOTNET, "Mqtt"), "unknown"); // the device was reflashed
        m = text();
        assertThat(sample(m, "iothub_devices_by_sdk", "sdk", "java")).isZero();
        assertThat(sample(m, "iothub_devices_by_sdk", "sdk", "dotnet")).isEqualTo(1);
    }

    @Test
    void labelValuesAreBounded() {
        List<ConnectionLogRecord> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(connect("hub-" + (i % 10), "d" + i, i, "contoso/" + i + "." + i + ".0", "Proto" + i));
            batch.add(new ConnectionLogRecord(i, "hub-1", "d" + i, "", "op" + i, true, "4" + i, "", "", "", ""));
        }
        metrics.onRecords(batch, "simulator");
        metrics.count(error("hub-1", "x", 1, "404104", ""), "token_renewal\"}");
        String m = text();
        long hubs = m.lines().filter(l -> l.startsWith("iothub_connection_log_records_total{")).map(l -> l.replaceAll(".*hub=\"([^\"]*)\".*", "$1"))
                .distinct().count();
        assertThat(hubs).isEqualTo(4); // three admitted + other
        assertThat(m).contains("hub=\"other\"").contains("protocol=\"other\"").contains("operation=\"other\"")
                .contains("sdk_version=\"other\"").contains("kind=\"other\"");
        assertThat(m.lines().filter(l -> l.startsWith("iothub_devices_by_sdk{")).count()).isLessThan(500);
        assertThat(m.lines().filter(l -> l.startsWith("iothub_connection_errors_total{")).count()).isLessThan(100);
    }

    @Test
    void deviceMapIsBoundedAndSurvivesARestart() throws Exception {
        LogMetrics small = new LogMetrics(new CollectorRegistry(true), 10, 100);
        for (int i = 0; i < 150; i++) {
            small.count(connect("h", "d" + i, i, i % 2 == 0 ? DOTNET : JAVA, "Mqtt"), "unknown");
        }
        assertThat(small.devicesTracked()).isEqualTo(100);
        Path file = dir.resolve("sdk.bin");
        small.save(file);
        CollectorRegistry r2 = new CollectorRegistry(true);
        LogMetrics restored = new LogMetrics(r2, 10, 100);
        restored.load(file);
        assertThat(restored.devicesTracked()).isEqualTo(100);
        assertThat(restored.sdkOf("h", "d3", "")).isEqualTo(new SdkInfo("java", "2.5"));
        String m = MetricsHandler.render(r2, TextFormat.CONTENT_TYPE_004);
        assertThat(sample(m, "iothub_devices_by_sdk", "sdk", "dotnet") + sample(m, "iothub_devices_by_sdk", "sdk", "java")).isEqualTo(100);
        new LogMetrics(new CollectorRegistry(true), 10, 100).load(dir.resolve("missing.bin")); // first start: nothing to load
    }

    @Test
    void theExpositionPassesPromtool() throws Exception {
        new LogAnalyticsMetrics(registry, "3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b", () -> 42.0);
        metrics.onRecords(List.of(connect("h1", "d1", 1000, DOTNET, "Mqtt"), error("h1", "d1", 2000, "401003", "")), "eventhubs");
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("promtool check metrics (installed by scripts/install-test-tools.sh): " + out).isZero();
        assertThat(sample(text(), "iothub_loganalytics_leader", "workspace", "3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b"))
                .as("without leader election the one instance polls").isEqualTo(1);
    }

    @Test
    void manyDevicesGrowTheTable() {
        DeviceSdkMap map = new DeviceSdkMap(1_000_000);
        int p = map.profileId(new DeviceSdkMap.Profile("h", "c", "1.2", "Mqtt"));
        int q = map.profileId(new DeviceSdkMap.Profile("h", "node", "1.17", "Mqtt"));
        for (int i = 0; i < 200_000; i++) {
            map.update(DeviceSdkMap.identity("h", "dev-" + i, ""), i % 3 == 0 ? q : p, 1000L * i);
        }
        assertThat(map.size()).isEqualTo(200_000);
        assertThat(map.devices(p) + map.devices(q)).isEqualTo(200_000);
        assertThat(map.get(DeviceSdkMap.identity("h", "dev-3", ""))).isEqualTo(q);
        assertThat(map.get(DeviceSdkMap.identity("h", "dev-3", "m"))).isEqualTo(DeviceSdkMap.NONE);
    }
}
