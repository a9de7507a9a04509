package io.github.iothubexporter.logs;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SdkVersionsTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            // documented and code-derived formats (iothub-facts.md §6)
            ".NET/1.21.2 (.NET Framework 4.8.4200.0; Microsoft Windows 10.0.17763 WindowsProduct:0x00000004; X86)|dotnet|1.21.2",
            ".NET/1.42.3 (.NET 8.0.4; Linux 5.15.0-1057-azure #65-Ubuntu SMP; X64) MyProduct/3.1|dotnet|1.42.3",
            "Microsoft.Azure.Devices.Client/1.5.1 (.NET Framework 4.6; Windows; X64)|dotnet|1.5.1",
            "com.microsoft.azure.sdk.iot.iot-device-client/2.5.0 (17.0.9; Linux; amd64)|java|2.5.0",
            "com.microsoft.azure.sdk.iot.iot-device-client/1.34.3 (11.0.2; Android; aarch64) contoso-app/7|java|1.34.3",
            "com.microsoft.azure.iothub-java-client/1.0.0 (1.8; Windows 10; amd64)|java|1.0.0",
            "azure-iot-device/1.17.1 (node v10.16.0; Windows_NT 10.0.18363; x64)|node|1.17.1",
            // Node appends product info after the parenthesis with no separator
            "azure-iot-device/1.18.3 (node v18.19.0; Ubuntu 22.04; x64)contoso-gateway/2.0.1|node|1.18.3",
            // very old Node: no space before the parenthesis
            "azure-iot-device/1.1.0(node v6.9.1; Linux 4.4; x64)|node|1.1.0",
            // Python: no space before '(' and no spaces after ';'; kernel strings hold parentheses
            "azure-iot-device-iothub-py/2.12.0(3.10.12;Linux #1 SMP PREEMPT_DYNAMIC Thu (Ubuntu);x86_64)|python|2.12.0",
            "azure-iot-device-iothub-py/2.9.1(3.8.10;Linux #38-Ubuntu SMP Fri Nov 1;armv7l)my-product|python|2.9.1",
            "iothubclient/1.2.11 (native; Linux; i686)|c|1.2.11",
            "iothubclient/1.13.0|c|1.13.0",
            // C prepends custom product info
            "ContosoFirmware/4.2 iothubclient/1.9.0 (native; Linux; x86_64)|c|1.9.0",
            "iothubclient/1.11.0 (native; freertos; rp2040)|c|1.11.0",
            "azsdk-c/1.5.0|embedded_c|1.5.0",
            "azsdk-c%2F1.4.0|embedded_c|1.4.0",
            "c/1.0.0(ard;esp32)|embedded_c|1.0.0",
            "C + (OSSimplified = Eclipse ThreadX)/1.3.0|embedded_c|1.3.0",
            // URL-encoded MQTT DeviceClientType
            "iothubclient%2f1.2.11%20(native%3b%20Linux%3b%20i686)|c|1.2.11",
            // not SDKs
            "2018-06-30|unknown|''",
            "2017-11-08-preview|unknown|''",
            "''|unknown|''",
            "NULL|unknown|''",
            "   |unknown|''",
            // unknown clients
            "contoso-mqtt/3.4.5 (linux)|other|3.4.5",
            "mosquitto|other|''",
            "weird/beta (x)|other|''",
    })
    void parses(String in, String family, String version) {
        assertThat(SdkVersions.parse(in)).isEqualTo(new SdkInfo(family, version));
    }

    @Test
    void majorMinorBoundsTheVersionLabel() {
        assertThat(SdkVersions.majorMinor("1.41.2")).isEqualTo("1.41");
        assertThat(SdkVersions.majorMinor("2.0.0-preview.1")).isEqualTo("2.0");
        assertThat(SdkVersions.majorMinor("3")).isEqualTo("3");
        assertThat(SdkVersions.majorMinor("")).isEqualTo("unknown");
        assertThat(SdkVersions.majorMinor("beta")).isEqualTo("unknown");
    }

    @Test
    void apiVersionDetection() {
        assertThat(SdkVersions.isApiVersion("2020-09-30")).isTrue();
        assertThat(SdkVersions.isApiVersion("2020-09-30-preview")).isTrue();
        assertThat(SdkVersions.isApiVersion("2020-09-30 (x)")).isFalse();
        assertThat(SdkVersions.isApiVersion("1.2.3")).isFalse();
    }
}
