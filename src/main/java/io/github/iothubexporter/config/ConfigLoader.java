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
            if (!e.getValue().isBlank()) { // empty = not set (docker-compose's ${VAR:-}): the file's value stands
                values.put(key.path(), e.getValue());
            }
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

    /**
     * The simulator keeps its state in a {@code simulator} folder of {@code state.dir}: simulated devices must never
     * turn up among real ones when the same directory later serves real inputs (and the demo's state survives).
     */
    static Path stateDir(Path configured, boolean simulator) {
        return simulator ? configured.resolve(SIMULATOR_STATE_DIR) : configured;
    }

    public static final String SIMULATOR_STATE_DIR = "simulator";

    private static ExporterConfig build(Values v) throws ConfigException {
        String simMode = v.choice("simulator.enabled", "auto", "true", "false");
        String secret = v.string("webhook.secret");
        EventHubsConfig eventHubs = eventHubs(v);
        LogAnalyticsConfig logAnalytics = logAnalytics(v, eventHubs);
        boolean realInput = secret != null || eventHubs.configured() || logAnalytics.configured();
        boolean simulator = simMode.equals("true") || (simMode.equals("auto") && !realInput);
        return new ExporterConfig(
                v.string("server.host"),
                v.intRange("server.port", 0, 65535),
                secret,
                (int) v.size("webhook.maxBodyBytes", 1024, 64L << 20),
                v.string("grafana.token"),
                (int) v.size("grafana.maxBodyBytes", 1024, 64L << 20),
                stateDir(Path.of(v.required("state.dir")), simulator),
                v.choice("state.fsync", "batch", "off").equals("batch"),
                v.duration("state.snapshotInterval", Duration.ofSeconds(1), Duration.ofDays(1)),
                v.size("state.snapshotJournalBytes", 1 << 16, 1L << 40),
                v.intRange("state.maxHubs", 1, 10_000),
                v.intRange("state.queueCapacity", 1, 1 << 20),
                v.size("state.deadLetterMaxBytes", 1024, 1L << 40),
                v.list("critical.devices"),
                v.intRange("critical.maxDevices", 0, 100_000),
                v.duration("classification.reconnectGrace", Duration.ofSeconds(1), Duration.ofDays(1)),
                v.duration("classification.lateness", Duration.ZERO, Duration.ofHours(1)),
                v.duration("classification.renewalTolerance", Duration.ZERO, Duration.ofHours(1)),
                renewalPeriods(v.required("classification.renewalPeriods")),
                "auto".equalsIgnoreCase(v.required("classification.logWait"))
                        ? (logAnalytics.configured() || simulator ? Duration.ofMinutes(10) : Duration.ZERO)
                        : v.duration("classification.logWait", Duration.ZERO, Duration.ofHours(2)),
                simulator,
                v.intRange("simulator.devices", 1, 10_000_000),
                v.intRange("simulator.hubs", 1, 3),
                v.doubleRange("simulator.speed", 0.001, 1_000_000),
                v.longValue("simulator.seed"),
                v.string("simulator.truthFile") == null ? null : Path.of(v.string("simulator.truthFile")),
                eventHubs,
                logAnalytics,
                v.intRange("state.maxSdkDevices", 0, 100_000_000));
    }

    private static LogAnalyticsConfig logAnalytics(Values v, EventHubsConfig eventHubs) throws ConfigException {
        String workspace = v.string("loganalytics.workspaceId");
        if (workspace != null && !workspace.matches("[A-Za-z0-9][A-Za-z0-9-]{0,63}")) {
            throw new ConfigException("loganalytics.workspaceId: '" + workspace + "' is not a workspace ID (a GUID such as "
                    + "3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b; the portal shows it on the workspace's Overview)");
        }
        String endpoint = v.string("loganalytics.endpoint");
        java.net.URI uri;
        try {
            uri = new java.net.URI(endpoint);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException("loganalytics.endpoint: '" + endpoint + "' is not a URL");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null) {
            throw new ConfigException("loganalytics.endpoint: '" + endpoint + "' must be an https URL such as "
                    + "https://api.loganalytics.io/v1 (Azure AD tokens are only sent over https)");
        }
        List<String> hubs = v.list("loganalytics.hubs");
        for (String hub : hubs) {
            String problem = io.github.iothubexporter.model.Identifiers.checkHub(hub);
            if (problem != null) {
                throw new ConfigException("loganalytics.hubs: '" + hub + "': " + problem);
            }
        }
        return new LogAnalyticsConfig(workspace, endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint,
                v.duration("loganalytics.interval", Duration.ofSeconds(1), Duration.ofHours(1)), hubs,
                v.duration("loganalytics.overlap", Duration.ofSeconds(1), Duration.ofMinutes(60)),
                v.intRange("loganalytics.maxRows", 500, 500_000),
                v.duration("loganalytics.queryTimeout", Duration.ofSeconds(1), Duration.ofMinutes(10)),
                v.duration("loganalytics.startLookback", Duration.ZERO, Duration.ofDays(30)),
                workspace == null ? null : lease(v, eventHubs));
    }

    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");

    /**
     * {@code loganalytics.lease.*}: null when leader election is off. Without keys of its own, the lease uses the Event Hubs
     * blob checkpoint store's account and container (replicas reading Event Hubs need one anyway, and the lease blob's name
     * does not collide with the SDK's {@code <namespace>/<hub>/<group>/...} blobs).
     */
    private static LeaseConfig lease(Values v, EventHubsConfig eventHubs) throws ConfigException {
        String enabled = v.choice("loganalytics.lease.enabled", "auto", "true", "false");
        String connectionString = v.string("loganalytics.lease.blobConnectionString");
        String container = v.string("loganalytics.lease.container");
        String blob = v.required("loganalytics.lease.blob");
        Duration duration = v.duration("loganalytics.lease.duration", Duration.ofSeconds(15), Duration.ofSeconds(60));
        if (connectionString != null) {
            checkStorageConnectionString(connectionString);
        }
        if (container != null && !CONTAINER.matcher(container).matches()) {
            throw new ConfigException("loganalytics.lease.container: '" + container + "' is not a blob container name (3 to 63 "
                    + "lower-case letters, digits and single hyphens, starting and ending with a letter or digit)");
        }
        if (blob.length() > 1024 || blob.endsWith(".") || blob.endsWith("/") || blob.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException("loganalytics.lease.blob: '" + blob + "' is not a usable blob name (at most 1024 characters, "
                    + "no control characters, not ending with '.' or '/')");
        }
        if (enabled.equals("false")) {
            return null;
        }
        boolean fromEventHubs = false;
        if (connectionString == null && eventHubs.configured() && eventHubs.blobCheckpoints()) {
            connectionString = eventHubs.blobConnectionString();
            fromEventHubs = true;
            if (container == null) {
                container = eventHubs.blobContainer();
            }
        }
        if (connectionString == null) {
            if (enabled.equals("true")) {
                throw new ConfigException("loganalytics.lease.blobConnectionString: required with loganalytics.lease.enabled=true "
                        + "(or configure Event Hubs blob checkpoints, whose storage account the lease then shares)");
            }
            return null;
        }
        if (container == null) {
            throw new ConfigException("loganalytics.lease.container: required with loganalytics.lease.blobConnectionString");
        }
        return new LeaseConfig(connectionString, container, blob, duration, fromEventHubs);
    }

    /** A storage connection string is {@code key=value} pairs naming an account or a blob endpoint; never echoes the value. */
    private static void checkStorageConnectionString(String cs) throws ConfigException {
        boolean account = false;
        for (String part : cs.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("loganalytics.lease.blobConnectionString: is not a storage connection string "
                        + "(key=value pairs separated by ';', e.g. DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...)");
            }
            String k = part.substring(0, eq).trim();
            if (k.equalsIgnoreCase("AccountName") || k.equalsIgnoreCase("BlobEndpoint") || k.equalsIgnoreCase("UseDevelopmentStorage")) {
                account = true;
            }
        }
        if (!account) {
            throw new ConfigException("loganalytics.lease.blobConnectionString: names no storage account (AccountName=... or "
                    + "BlobEndpoint=...)");
        }
    }

    static final List<String> SDK_FAMILIES = List.of("dotnet", "java", "node", "python", "c", "embedded_c");

    /** "dotnet=70m,node=45m" → family → period; unknown families and bad durations name the key. */
    static Map<String, Duration> renewalPeriods(String text) throws ConfigException {
        Map<String, Duration> out = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split("=", 2);
            String family = kv[0].trim().toLowerCase(Locale.ROOT);
            if (kv.length != 2 || !SDK_FAMILIES.contains(family)) {
                throw new ConfigException("classification.renewalPeriods: '" + part.trim() + "' is not family=duration with a family of "
                        + String.join(", ", SDK_FAMILIES));
            }
            String value = kv[1].trim();
            Map<String, String> one = new LinkedHashMap<>();
            one.put("classification.renewalTolerance", value); // reuse the duration parser with a key of the same type
            try {
                out.put(family, value.equals("0") ? Duration.ZERO
                        : new Values(one).duration("classification.renewalTolerance", Duration.ofMinutes(1), Duration.ofDays(30)));
            } catch (ConfigException e) {
                throw new ConfigException("classification.renewalPeriods: " + family + "=" + value + " is not a duration between 1m and 30d");
            }
        }
        return out;
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

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?", Pattern.CASE_INSENSITIVE);

    /** Typed, validating access to the merged key → text map. */
    private static final class Values {
        private final Map<String, String> raw;

        Values(Map<String, String> raw) {
            this.raw = raw;
        }

        /** The value, or the default when unset or blank (an empty IOTHUB_EXPORTER_X= means "not set"). */
        String string(String key) {
            String v = raw.get(key);
            if (v == null || v.isBlank()) {
                v = ConfigKeys.ALL.get(key).defaultValue();
            }
            return v == null || v.isBlank() ? null : v.trim();
        }

        /** A value that has a default, so it is never null. */
        String required(String key) throws ConfigException {
            String v = string(key);
            if (v == null) {
                throw new ConfigException(key + ": a value is required");
            }
            return v;
        }

        String choice(String key, String... allowed) throws ConfigException {
            String v = required(key).toLowerCase(Locale.ROOT);
            if (!Arrays.asList(allowed).contains(v)) {
                throw new ConfigException(key + ": '" + v + "' is not one of " + String.join(", ", allowed));
            }
            return v;
        }

        int intRange(String key, int min, int max) throws ConfigException {
            String v = required(key);
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
            String v = required(key);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new ConfigException(key + ": '" + v + "' is not a whole number");
            }
        }

        double doubleRange(String key, double min, double max) throws ConfigException {
            String v = required(key);
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
            String v = required(key);
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
            String v = required(key);
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
            String v = string(key); // optional
            if (v == null) {
                return List.of();
            }
            return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    }
}
