package io.github.iothubexporter.logs;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parses the {@code sdkVersion} of Connections records (the MQTT {@code DeviceClientType}, the AMQP
 * {@code com.microsoft:client-version}, the HTTP User-Agent) into an SDK family and version.
 * Formats differ per SDK (shared/reference/iothub-facts.md §6):
 * <ul>
 * <li>{@code .NET/1.21.2 (.NET Framework 4.8; Microsoft Windows 10.0.17763; X86)} (older: {@code Microsoft.Azure.Devices.Client/…});</li>
 * <li>{@code com.microsoft.azure.sdk.iot.iot-device-client/2.1.0 (17.0.9; Linux; amd64)};</li>
 * <li>{@code azure-iot-device/1.17.1 (node v10.16.0; Windows_NT 10.0.18363; x64)} with product info appended after
 *     the parenthesis with no separator;</li>
 * <li>{@code azure-iot-device-iothub-py/2.12.0(3.10.12;Linux …;x86_64)}: no space before the parenthesis;</li>
 * <li>{@code iothubclient/1.2.11 (native; Linux; i686)}, with custom product info <em>prepended</em>
 *     ({@code MyApp/2.0 iothubclient/1.9.0 (…)});</li>
 * <li>Embedded C: {@code azsdk-c/1.5.0}, samples' {@code c/1.0.0(ard;esp32)}, possibly URL-encoded ({@code azsdk-c%2F1.5.0}).</li>
 * </ul>
 * Values that are API versions ({@code 2018-06-30}, {@code 2017-11-08-preview}) name no SDK: {@link SdkInfo#UNKNOWN}.
 * Only the name before the first {@code /} and the version after it are read; the platform part is opaque
 * (Python's kernel strings hold parentheses and semicolons). Thread-safe; results of frequent strings are cached.
 */
public final class SdkVersions {
    private static final Map<String, String> FAMILY_BY_NAME = Map.ofEntries(
            Map.entry(".net", "dotnet"),
            Map.entry("microsoft.azure.devices.client", "dotnet"),
            Map.entry("microsoft.azure.devices", "dotnet"),
            Map.entry("com.microsoft.azure.sdk.iot.iot-device-client", "java"),
            Map.entry("com.microsoft.azure.iothub-java-client", "java"),
            Map.entry("com.microsoft.azure.iothub.service.sdk", "java"),
            Map.entry("com.microsoft.azure.sdk.iot.iot-service-client", "java"),
            Map.entry("azure-iot-device", "node"),
            Map.entry("azure-iothub", "node"),
            Map.entry("azure-iot-device-iothub-py", "python"),
            Map.entry("iothubclient", "c"),
            Map.entry("iothubserviceclient", "c"),
            Map.entry("azsdk-c", "embedded_c"),
            Map.entry("c", "embedded_c"));
    private static final int CACHE_MAX = 8192;
    private static final int VERSION_MAX = 40;
    private static final Map<String, SdkInfo> CACHE = new ConcurrentHashMap<>();

    private SdkVersions() {
    }

    public static SdkInfo parse(String sdkVersion) {
        if (sdkVersion == null || sdkVersion.isBlank()) {
            return SdkInfo.UNKNOWN;
        }
        SdkInfo cached = CACHE.get(sdkVersion);
        if (cached != null) {
            return cached;
        }
        SdkInfo info = parseUncached(sdkVersion);
        if (CACHE.size() < CACHE_MAX) {
            CACHE.put(sdkVersion, info);
        }
        return info;
    }

    private static SdkInfo parseUncached(String raw) {
        String s = raw.indexOf('%') >= 0 ? percentDecode(raw) : raw;
        s = s.strip();
        if (isApiVersion(s)) {
            return SdkInfo.UNKNOWN;
        }
        if (s.startsWith("C + (") || s.startsWith("C+(")) { // Eclipse ThreadX (Azure RTOS) on Embedded C
            int slash = s.indexOf('/', s.indexOf(')') + 1);
            return new SdkInfo("embedded_c", slash < 0 ? "" : version(s, slash + 1));
        }
        // the SDK name normally opens the string; the C SDK puts custom product info in front of its own
        SdkInfo first = null;
        int i = 0;
        int n = s.length();
        boolean firstToken = true;
        while (i < n) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int start = i;
            int slash = -1;
            while (i < n && !Character.isWhitespace(s.charAt(i))) {
                char c = s.charAt(i);
                if (c == '/' && slash < 0) {
                    slash = i;
                } else if (c == '(' && slash < 0) {
                    break; // a parenthesis before any '/': platform info, not a name
                }
                i++;
            }
            if (slash > start) {
                String name = s.substring(start, slash).toLowerCase(Locale.ROOT);
                String family = FAMILY_BY_NAME.get(name);
                if (family != null && (firstToken || family.equals("c"))) {
                    return new SdkInfo(family, version(s, slash + 1));
                }
                if (first == null) {
                    first = new SdkInfo("other", version(s, slash + 1));
                }
            }
            firstToken = false;
            while (i < n && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
        return first != null ? first : new SdkInfo("other", "");
    }

    /** The version right after the name's '/': up to whitespace, '(', ';', ')' or ','; "" unless it starts with a digit. */
    private static String version(String s, int from) {
        int end = from;
        int n = s.length();
        while (end < n && end - from < VERSION_MAX) {
            char c = s.charAt(end);
            if (Character.isWhitespace(c) || c == '(' || c == ';' || c == ')' || c == ',' || c == '/') {
                break;
            }
            end++;
        }
        if (end == from || s.charAt(from) < '0' || s.charAt(from) > '9') {
            return "";
        }
        return s.substring(from, end);
    }

    /** "2018-06-30", "2017-11-08-preview": an API version, not a client. */
    static boolean isApiVersion(String s) {
        if (s.length() < 10) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            char c = s.charAt(i);
            boolean dash = i == 4 || i == 7;
            if (dash ? c != '-' : c < '0' || c > '9') {
                return false;
            }
        }
        if (s.length() == 10) {
            return true;
        }
        if (s.charAt(10) != '-') {
            return false;
        }
        for (int i = 11; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static String percentDecode(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                b.append((char) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** "1.41.2" → "1.41", "2" → "2", "" → "unknown": the bounded {@code sdk_version} label. */
    public static String majorMinor(String version) {
        if (version == null || version.isEmpty() || version.charAt(0) < '0' || version.charAt(0) > '9') {
            return "unknown";
        }
        int dots = 0;
        int end = 0;
        while (end < version.length()) {
            char c = version.charAt(end);
            if (c == '.') {
                if (++dots == 2) {
                    break;
                }
            } else if (c < '0' || c > '9') {
                break;
            }
            end++;
        }
        String mm = version.substring(0, end);
        return mm.endsWith(".") ? mm.substring(0, mm.length() - 1) : mm;
    }
}
