package io.github.iothubexporter.sim;

import java.util.Random;

/**
 * The device SDKs the simulator mixes, with each one's documented defaults (shared/reference/iothub-facts.md
 * §1.3, §5, §6, §7): when it drops the connection to renew its SAS token, its MQTT keep-alive, whether IoT Hub
 * waits for its first message before reporting a connection, and how its sdkVersion string looks.
 */
public enum SdkProfile {
    /** .NET: 60 min token, disconnect at lifetime + 10 min grace, 401003 then 404104; keep-alive 300 s. */
    DOTNET("dotnet", 0.30, 70 * 60, 300, true, new String[]{"1.41.2", "1.42.3", "1.36.6"}),
    /** Java: same renewal as .NET; keep-alive 230 s. */
    JAVA("java", 0.15, 70 * 60, 230, false, new String[]{"2.5.0", "2.4.1", "1.34.3"}),
    /** Node.js: renews at 45 min (75 %), informational records only; keep-alive 180 s. */
    NODE("node", 0.15, 45 * 60, 180, false, new String[]{"1.18.3", "1.17.5"}),
    /** Python: reconnects 120 s before expiry; keep-alive 60 s. */
    PYTHON("python", 0.15, 60 * 60 - 120, 60, false, new String[]{"2.13.0", "2.12.0", "2.9.1"}),
    /**
     * C SDK: over AMQP it refreshes the token through CBS without disconnecting; over MQTT it closes cleanly and
     * reconnects at 80 % of the 60 min lifetime ({@code SAS_REFRESH_MULTIPLIER .8} in azure-iot-sdk-c's
     * iothubtransport_mqtt_common.c). Keep-alive 240 s ({@code DEFAULT_MQTT_KEEPALIVE 4*60}, same file).
     */
    C("c", 0.15, 48 * 60, 240, true, new String[]{"1.13.0", "1.12.0", "1.9.0"}),
    /**
     * Embedded C: reconnects when its token expires (60 min in the samples). The SDK leaves MQTT to the
     * application; its samples connect with {@code AZ_IOT_DEFAULT_MQTT_CONNECT_KEEPALIVE_SECONDS} = 240
     * (azure-sdk-for-c az_iot_common.h) and SUBSCRIBE right after CONNECT, which starts IoT Hub's
     * connection-state events at once (§1.3: in raw MQTT a SUBSCRIBE or PUBLISH is the activity that counts).
     */
    EMBEDDED_C("embedded_c", 0.10, 60 * 60, 240, false, new String[]{"1.5.0", "1.4.0"});

    /** The hub never waits longer than the Azure load balancer's idle timeout (29.45 min). */
    static final int HUB_KEEP_ALIVE_CAP_SECONDS = 1767;

    private final String family;
    private final double share;
    private final int renewalSeconds;
    private final int keepAliveSeconds;
    private final boolean eventsAfterFirstMessage;
    private final String[] versions;

    SdkProfile(String family, double share, int renewalSeconds, int keepAliveSeconds, boolean eventsAfterFirstMessage,
               String[] versions) {
        this.family = family;
        this.share = share;
        this.renewalSeconds = renewalSeconds;
        this.keepAliveSeconds = keepAliveSeconds;
        this.eventsAfterFirstMessage = eventsAfterFirstMessage;
        this.versions = versions;
    }

    public String family() {
        return family;
    }

    /** Seconds of MQTT connection after which the SDK drops it to renew its token with default settings; 0 = never. */
    public int renewalSeconds() {
        return renewalSeconds;
    }

    /** The same over a given protocol: only the C SDK differs (AMQP renews in-band). */
    public int renewalSeconds(boolean amqp) {
        return this == C && amqp ? 0 : renewalSeconds;
    }

    /** The SDK's default MQTT keep-alive (CONNECT's keep-alive field), seconds. */
    public int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    /**
     * Whether IoT Hub reports a connection of this SDK only after its first D2C send or C2D receive (.NET and C:
     * iothub-facts §1.3); the others subscribe on connect, which counts as activity.
     */
    public boolean eventsAfterFirstMessage() {
        return eventsAfterFirstMessage;
    }

    /** How long after a client's last activity the hub gives up on it: 1.5 × its keep-alive, capped. */
    public static long hubKeepAliveTimeoutMillis(int clientKeepAliveSeconds) {
        return Math.min(clientKeepAliveSeconds * 1500L, HUB_KEEP_ALIVE_CAP_SECONDS * 1000L);
    }

    public String[] versions() {
        return versions;
    }

    static SdkProfile pick(Random rnd) {
        double x = rnd.nextDouble();
        for (SdkProfile p : values()) {
            x -= p.share;
            if (x < 0) {
                return p;
            }
        }
        return DOTNET;
    }

    /** The sdkVersion string the SDK sends, in its own format. */
    public String sdkVersion(String version, String protocol) {
        return switch (this) {
            case DOTNET -> ".NET/" + version + " (.NET 8.0.4; Linux 5.15.0-1057-azure #65-Ubuntu SMP; X64)";
            case JAVA -> "com.microsoft.azure.sdk.iot.iot-device-client/" + version + " (17.0.9; Linux; amd64)";
            case NODE -> "azure-iot-device/" + version + " (node v18.19.0; Ubuntu 22.04; x64)";
            case PYTHON -> "azure-iot-device-iothub-py/" + version + "(3.10.12;Linux #1 SMP PREEMPT_DYNAMIC Thu (Ubuntu);x86_64)";
            case C -> protocol.startsWith("Amqp") ? "iothubclient/" + version : "iothubclient/" + version + " (native; Linux; armv7l)";
            case EMBEDDED_C -> "azsdk-c/" + version;
        };
    }
}
