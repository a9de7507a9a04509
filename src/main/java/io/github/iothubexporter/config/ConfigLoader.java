package io.github.iothubexporter.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML file, overlays {@code IOTHUB_EXPORTER_*} environment variables, and validates every key.
 * Unknown keys are errors, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
    static final String ENV_PREFIX = "IOTHUB_EXPORTER_";

    private ConfigLoader() {
    }

    public static ExporterConfig load(Path file, Map<String, String> env) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        if (file != null) {
            readYaml(file, values);
        }
        Map<String, ConfigKeys.Key> byEnv = new LinkedHashMap<>();
        ConfigKeys.ALL.values().forEach(k -> byEnv.put(k.envName(), k));
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith(ENV_PREFIX)) {
                continue;
            }
            ConfigKeys.Key key = byEnv.get(e.getKey());
            if (key == null) {
                throw new ConfigException("unknown environment variable " + e.getKey()
                        + ": no configuration key has that name (see docs/configuration.md)");
            }
            values.put(key.path(), e.getValue());
        }
        return build(new Values(values));
    }

    private static void readYaml(Path file, Map<String, String> out) throws ConfigException {
        JsonNode root;
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("config file " + file + " does not exist or is not a file");
            }
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage().split("\n")[0]);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + file + " must hold a mapping of key groups");
        }
        flatten("", root, out, file);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) throws ConfigException {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject() && !ConfigKeys.ALL.containsKey(path)) {
                flatten(path, v, out, file);
                continue;
            }
            if (!ConfigKeys.ALL.containsKey(path)) {
                throw new ConfigException("unknown configuration key '" + path + "' in " + file + " (see docs/configuration.md)");
            }
            if (v.isNull()) {
                continue;
            }
            if (v.isArray()) {
                List<String> items = new ArrayList<>();
                for (JsonNode item : v) {
                    if (!item.isValueNode()) {
                        throw new ConfigException(path + ": list items must be plain values");
                    }
                    items.add(item.asText());
                }
                out.put(path, String.join(",", items));
            } else if (v.isValueNode()) {
                out.put(path, v.asText());
            } else {
                throw new ConfigException(path + ": expected a plain value, got a mapping");
            }
        }
    }

    private static ExporterConfig build(Values v) throws ConfigException {
        refuseInputsNotInThisBuild(v);
        String simMode = v.choice("simulator.enabled", "auto", "true", "false");
        String secret = v.string("webhook.secret");
        EventHubsConfig eventHubs = eventHubs(v);
        LogAnalyticsConfig logAnalytics = new LogAnalyticsConfig(v.string("loganalytics.workspaceId"),
                v.string("loganalytics.endpoint"), v.duration("loganalytics.interval", Duration.ofSeconds(5), Duration.ofHours(1)));
        boolean realInput = secret != null || eventHubs.configured() || logAnalytics.configured();
        boolean simulator = simMode.equals("true") || (simMode.equals("auto") && !realInput);
        return new ExporterConfig(
                v.string("server.host"),
                v.intRange("server.port", 0, 65535),
                secret,
                (int) v.size("webhook.maxBodyBytes", 1024, 64L << 20),
                v.string("grafana.token"),
                Path.of(v.string("state.dir")),
                v.choice("state.fsync", "batch", "off").equals("batch"),
                v.duration("state.snapshotInterval", Duration.ofSeconds(1), Duration.ofDays(1)),
                v.size("state.snapshotJournalBytes", 1 << 16, 1L << 40),
                v.intRange("state.maxHubs", 1, 10_000),
                v.intRange("state.queueCapacity", 1, 1 << 20),
                v.size("state.deadLetterMaxBytes", 1024, 1L << 40),
                v.list("critical.devices"),
                v.intRange("critical.maxDevices", 0, 100_000),
                v.duration("classification.reconnectGrace", Duration.ofSeconds(1), Duration.ofDays(1)),
                simulator,
                v.intRange("simulator.devices", 1, 10_000_000),
                v.intRange("simulator.hubs", 1, 3),
                v.doubleRange("simulator.speed", 0.001, 1_000_000),
                v.longValue("simulator.seed"),
                eventHubs,
                logAnalytics);
    }

    private static EventHubsConfig eventHubs(Values v) throws ConfigException {
        EventHubsConfig c = new EventHubsConfig(v.string("eventhubs.connectionString"), v.string("eventhubs.namespace"),
                v.string("eventhubs.eventHubName"), v.string("eventhubs.consumerGroup"),
                v.choice("eventhubs.checkpoint.type", "file", "blob"), v.string("eventhubs.checkpoint.blobConnectionString"),
                v.string("eventhubs.checkpoint.container"), v.choice("eventhubs.startPosition", "earliest", "latest"),
                v.choice("eventhubs.loadBalancingStrategy", "auto", "balanced", "greedy"),
                v.duration("eventhubs.loadBalancingInterval", Duration.ofMillis(100), Duration.ofHours(1)),
                v.duration("eventhubs.ownershipExpiration", Duration.ofMillis(500), Duration.ofHours(1)),
                v.intRange("eventhubs.maxBatchSize", 1, 10_000),
                v.duration("eventhubs.maxWaitTime", Duration.ofMillis(10), Duration.ofMinutes(5)),
                v.intRange("eventhubs.prefetchCount", 1, 8000));
        if (c.connectionString() != null && c.namespace() != null) {
            throw new ConfigException("eventhubs.namespace: set either eventhubs.connectionString or eventhubs.namespace "
                    + "(with Azure AD), not both");
        }
        if (c.namespace() != null && c.eventHubName() == null) {
            throw new ConfigException("eventhubs.eventHubName: required with eventhubs.namespace");
        }
        if (c.connectionString() != null && c.resolvedEventHubName() == null) {
            throw new ConfigException("eventhubs.connectionString: has no EntityPath; add ;EntityPath=<event hub> "
                    + "or set eventhubs.eventHubName");
        }
        if (c.configured() && c.blobCheckpoints()) {
            if (c.blobConnectionString() == null) {
                throw new ConfigException("eventhubs.checkpoint.blobConnectionString: required with eventhubs.checkpoint.type=blob");
            }
            if (c.blobContainer() == null) {
                throw new ConfigException("eventhubs.checkpoint.container: required with eventhubs.checkpoint.type=blob");
            }
        }
        if (c.ownershipExpiration().compareTo(c.loadBalancingInterval()) <= 0) {
            throw new ConfigException("eventhubs.ownershipExpiration: must be longer than eventhubs.loadBalancingInterval");
        }
        return c;
    }

    /** Inputs that are specified but not built yet: refuse them rather than silently ignore them. */
    private static void refuseInputsNotInThisBuild(Values v) throws ConfigException {
        Map<String, List<String>> notYet = new LinkedHashMap<>();
        notYet.put("loganalytics", List.of("loganalytics.workspaceId"));
        for (Map.Entry<String, List<String>> group : notYet.entrySet()) {
            for (String key : group.getValue()) {
                if (v.string(key) != null) {
                    throw new ConfigException(key + ": this build does not have the " + group.getKey() + " input yet; remove the key");
                }
            }
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?", Pattern.CASE_INSENSITIVE);

    /** Typed, validating access to the merged key → text map. */
    private static final class Values {
        private final Map<String, String> raw;

        Values(Map<String, String> raw) {
            this.raw = raw;
        }

        String string(String key) {
            String v = raw.get(key);
            if (v == null) {
                v = ConfigKeys.ALL.get(key).defaultValue();
            }
            return v == null || v.isBlank() ? null : v.trim();
        }

        String choice(String key, String... allowed) throws ConfigException {
            String v = string(key).toLowerCase(Locale.ROOT);
            if (!Arrays.asList(allowed).contains(v)) {
                throw new ConfigException(key + ": '" + v + "' is not one of " + String.join(", ", allowed));
            }
            return v;
        }

        int intRange(String key, int min, int max) throws ConfigException {
            String v = string(key);
            try {
                int i = Integer.parseInt(v);
                if (i < min || i > max) {
                    throw new ConfigException(key + ": " + i + " is outside " + min + ".." + max);
                }
                return i;
            } catch (NumberFormatException e) {
                throw new ConfigException(key + ": '" + v + "' is not a whole number");
            }
        }

        long longValue(String key) throws ConfigException {
            String v = string(key);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(key + ": '" + v + "' is not a whole number");
            }
        }

        double doubleRange(String key, double min, double max) throws ConfigException {
            String v = string(key);
            try {
                double d = Double.parseDouble(v);
                if (!(d >= min && d <= max)) {
                    throw new ConfigException(key + ": " + v + " is outside " + min + ".." + max);
                }
                return d;
            } catch (NumberFormatException e) {
                throw new ConfigException(key + ": '" + v + "' is not a number");
            }
        }

        Duration duration(String key, Duration min, Duration max) throws ConfigException {
            String v = string(key);
            Duration d;
            Matcher m = DURATION.matcher(v);
            if (m.matches()) {
                double n = Double.parseDouble(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                double ms = n * switch (unit) {
                    case "ms" -> 1;
                    case "s" -> 1000;
                    case "m" -> 60_000;
                    case "h" -> 3_600_000;
                    default -> 86_400_000;
                };
                d = Duration.ofMillis((long) ms);
            } else {
                try {
                    d = Duration.parse(v);
                } catch (DateTimeParseException e) {
                    throw new ConfigException(key + ": '" + v + "' is not a duration (e.g. 180s, 5m, 1h, PT3M)");
                }
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new ConfigException(key + ": " + v + " is outside " + min + ".." + max);
            }
            return d;
        }

        long size(String key, long min, long max) throws ConfigException {
            String v = string(key);
            Matcher m = SIZE.matcher(v);
            if (!m.matches()) {
                throw new ConfigException(key + ": '" + v + "' is not a size (e.g. 1048576, 512KiB, 1MiB)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
            long bytes = n * switch (unit) {
                case "kb" -> 1000L;
                case "kib" -> 1024L;
                case "mb" -> 1000_000L;
                case "mib" -> 1L << 20;
                case "gb" -> 1000_000_000L;
                case "gib" -> 1L << 30;
                default -> 1L;
            };
            if (bytes < min || bytes > max) {
                throw new ConfigException(key + ": " + v + " is outside " + min + ".." + max + " bytes");
            }
            return bytes;
        }

        List<String> list(String key) {
            String v = string(key);
            if (v == null) {
                return List.of();
            }
            return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    }
}
