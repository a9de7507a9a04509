package io.github.iothubexporter.sim;

import java.util.Random;

/**
 * The device SDKs the simulator mixes, with each one's documented default SAS-token behaviour
 * (shared/reference/iothub-facts.md §6, §7): when it drops the connection to renew, and how its
 * sdkVersion string looks.
 */
public enum SdkProfile {
    /** .NET: 60 min token, disconnect at lifetime + 10 min grace, 401003 then 404104. */
    DOTNET("dotnet", 0.30, 70 * 60, new String[]{"1.41.2", "1.42.3", "1.36.6"}),
    /** Java: same as .NET. */
    JAVA("java", 0.15, 70 * 60, new String[]{"2.5.0", "2.4.1", "1.34.3"}),
    /** Node.js: renews at 45 min (75 %), informational records only. */
    NODE("node", 0.15, 45 * 60, new String[]{"1.18.3", "1.17.5"}),
    /** Python: reconnects 120 s before expiry. */
    PYTHON("python", 0.15, 60 * 60 - 120, new String[]{"2.13.0", "2.12.0", "2.9.1"}),
    /** C SDK over AMQP: refreshes through CBS without disconnecting. */
    C("c", 0.15, 0, new String[]{"1.13.0", "1.12.0", "1.9.0"}),
    /** Embedded C: reconnects when its token expires (60 min in the samples). */
    EMBEDDED_C("embedded_c", 0.10, 60 * 60, new String[]{"1.5.0", "1.4.0"});

    private final String family;
    private final double share;
    private final int renewalSeconds;
    private final String[] versions;

    SdkProfile(String family, double share, int renewalSeconds, String[] versions) {
        this.family = family;
        this.share = share;
        this.renewalSeconds = renewalSeconds;
        this.versions = versions;
    }

    public String family() {
        return family;
    }

    /** Seconds of connection after which the SDK drops it to renew its token with default settings; 0 = never. */
    public int renewalSeconds() {
        return renewalSeconds;
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
