package io.github.iothubexporter.logs;

/**
 * A device SDK as named by a Connections record's {@code sdkVersion}.
 *
 * @param family  {@code dotnet}, {@code java}, {@code node}, {@code python}, {@code c}, {@code embedded_c},
 *                {@code other} (a client string this build does not know) or {@code unknown} (no SDK string)
 * @param version the SDK's own version, e.g. "1.41.2"; "" when unknown
 */
public record SdkInfo(String family, String version) {
    public static final SdkInfo UNKNOWN = new SdkInfo("unknown", "");
}
