package io.github.iothubexporter.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaultsRunTheSimulator() throws Exception {
        ExporterConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.port()).isEqualTo(9786);
        assertThat(c.stateDir()).as("the simulator's state stays apart from real data").isEqualTo(Path.of("./data/simulator"));
        assertThat(c.reconnectGrace()).isEqualTo(Duration.ofSeconds(180));
        assertThat(c.webhookMaxBodyBytes()).isEqualTo(1 << 20);
        assertThat(c.simulatorEnabled()).isTrue();
        assertThat(c.simulatorDevices()).isEqualTo(1000);
    }

    @Test
    void yamlThenEnvironmentOverrides() throws Exception {
        Path f = yaml("""
                server:
                  port: 9000
                webhook:
                  secret: from-file
                classification:
                  reconnectGrace: 5m
                critical:
                  devices: [pump-1, "hub-a/boiler*"]
                state:
                  dir: /var/lib/x
                """);
        ExporterConfig c = ConfigLoader.load(f, Map.of("IOTHUB_EXPORTER_SERVER_PORT", "9100", "PATH", "/bin",
                "IOTHUB_EXPORTER_CLASSIFICATION_RECONNECTGRACE", "PT2M"));
        assertThat(c.port()).isEqualTo(9100);
        assertThat(c.webhookSecret()).isEqualTo("from-file");
        assertThat(c.reconnectGrace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.criticalDevices()).containsExactly("pump-1", "hub-a/boiler*");
        assertThat(c.simulatorEnabled()).as("auto: a webhook secret means real input").isFalse();
        assertThat(c.toString()).doesNotContain("from-file");
        assertThat(c.stateDir()).as("real input: state.dir itself").isEqualTo(Path.of("/var/lib/x"));
    }

    @Test
    void anEmptyEnvironmentVariableLeavesTheFilesValue() throws Exception {
        Path f = yaml("""
                server:
                  port: 9000
                webhook:
                  secret: from-file
                """);
        // docker-compose passes ${VAR:-} as an empty string
        ExporterConfig c = ConfigLoader.load(f, Map.of("IOTHUB_EXPORTER_WEBHOOK_SECRET", "", "IOTHUB_EXPORTER_SERVER_PORT", " "));
        assertThat(c.webhookSecret()).isEqualTo("from-file");
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.simulatorEnabled()).isFalse();
    }

    @Test
    void commaSeparatedCriticalDevicesFromEnvironment() throws Exception {
        assertThat(ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_CRITICAL_DEVICES", " a, b/c ,,d* ")).criticalDevices())
                .containsExactly("a", "b/c", "d*");
    }

    @Test
    void errorsNameTheKey() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(yaml("server:\n  prot: 1\n"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.prot");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_SERVER_PORT", "http")))
                .hasMessageContaining("server.port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_SERVER_PORT", "70000")))
                .hasMessageContaining("server.port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_CLASSIFICATION_RECONNECTGRACE", "soon")))
                .hasMessageContaining("classification.reconnectGrace");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_SIMULATOR_ENABLED", "maybe")))
                .hasMessageContaining("simulator.enabled");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_STATE_FSYNC", "sometimes")))
                .hasMessageContaining("state.fsync");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_WEBHOOK_MAXBODYBYTES", "lots")))
                .hasMessageContaining("webhook.maxBodyBytes");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_SERVRE_PORT", "1")))
                .hasMessageContaining("IOTHUB_EXPORTER_SERVRE_PORT");
        assertThatThrownBy(() -> ConfigLoader.load(yaml("server: [1, 2\n"), Map.of())).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of())).hasMessageContaining("does not exist");
    }

    @Test
    void inputsNotInThisBuildAreRefusedRatherThanIgnored() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_NAMESPACE", "ns.servicebus.windows.net")))
                .hasMessageContaining("eventhubs.namespace");
    }

    @Test
    void logAnalytics() throws Exception {
        ExporterConfig off = ConfigLoader.load(null, Map.of());
        assertThat(off.logAnalytics().configured()).isFalse();
        assertThat(off.maxSdkDevices()).isEqualTo(1_000_000);
        ExporterConfig c = ConfigLoader.load(yaml("""
                loganalytics:
                  workspaceId: 3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b
                  hubs: [contoso-hub, Hub-2]
                  overlap: 10m
                """), Map.of("IOTHUB_EXPORTER_LOGANALYTICS_INTERVAL", "30s"));
        LogAnalyticsConfig la = c.logAnalytics();
        assertThat(la.configured()).isTrue();
        assertThat(c.simulatorEnabled()).as("auto: Log Analytics is real input").isFalse();
        assertThat(la.endpoint()).isEqualTo("https://api.loganalytics.io/v1");
        assertThat(la.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(la.hubs()).containsExactly("contoso-hub", "Hub-2");
        assertThat(la.overlap()).isEqualTo(Duration.ofMinutes(10));
        assertThat(la.maxRows()).isEqualTo(5_000);
        assertThat(la.queryTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(la.startLookback()).isEqualTo(Duration.ofHours(1));
        Map<String, String> ws = Map.of("IOTHUB_EXPORTER_LOGANALYTICS_WORKSPACEID", "3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_LOGANALYTICS_WORKSPACEID", "../x?y")))
                .hasMessageContaining("loganalytics.workspaceId");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(ws, "IOTHUB_EXPORTER_LOGANALYTICS_ENDPOINT", "http://api.loganalytics.io/v1")))
                .hasMessageContaining("loganalytics.endpoint").hasMessageContaining("https");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(ws, "IOTHUB_EXPORTER_LOGANALYTICS_HUBS", "ok,bad\" or 1==1")))
                .hasMessageContaining("loganalytics.hubs");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(ws, "IOTHUB_EXPORTER_LOGANALYTICS_OVERLAP", "2h")))
                .hasMessageContaining("loganalytics.overlap");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(ws, "IOTHUB_EXPORTER_LOGANALYTICS_MAXROWS", "600000")))
                .hasMessageContaining("loganalytics.maxRows");
        assertThat(c.toString()).contains("3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b");
    }

    @Test
    void logAnalyticsLease() throws Exception {
        String ws = "3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b";
        String storage = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0LWtleQ==;EndpointSuffix=core.windows.net";
        Map<String, String> la = Map.of("IOTHUB_EXPORTER_LOGANALYTICS_WORKSPACEID", ws);
        assertThat(ConfigLoader.load(null, la).logAnalytics().lease()).as("one instance by default").isNull();

        ExporterConfig c = ConfigLoader.load(null, with(with(la, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_BLOBCONNECTIONSTRING", storage),
                "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_CONTAINER", "exporter-leases"));
        LeaseConfig lease = c.logAnalytics().lease();
        assertThat(lease).isNotNull();
        assertThat(lease.connectionString()).isEqualTo(storage);
        assertThat(lease.container()).isEqualTo("exporter-leases");
        assertThat(lease.blob()).isEqualTo("loganalytics-poller.lease");
        assertThat(lease.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(lease.renewInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(lease.fromEventHubs()).isFalse();
        assertThat(c.toString()).contains("exporter-leases").doesNotContain("AccountKey").doesNotContain("c2VjcmV0LWtleQ==");

        // Event Hubs blob checkpoints: the lease shares their account and container unless told otherwise
        String cs = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=conn-events";
        Map<String, String> replicas = new java.util.HashMap<>(la);
        replicas.put("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", cs);
        replicas.put("IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_TYPE", "blob");
        replicas.put("IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_BLOBCONNECTIONSTRING", storage);
        replicas.put("IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_CONTAINER", "eh-checkpoints");
        LeaseConfig shared = ConfigLoader.load(null, replicas).logAnalytics().lease();
        assertThat(shared.connectionString()).isEqualTo(storage);
        assertThat(shared.container()).isEqualTo("eh-checkpoints");
        assertThat(shared.fromEventHubs()).isTrue();
        LeaseConfig ownContainer = ConfigLoader.load(null, with(with(replicas, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_CONTAINER", "leases"),
                "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_DURATION", "15s")).logAnalytics().lease();
        assertThat(ownContainer.container()).isEqualTo("leases");
        assertThat(ownContainer.duration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(ownContainer.renewInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ConfigLoader.load(null, with(replicas, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_ENABLED", "false")).logAnalytics().lease())
                .isNull();
        assertThat(ConfigLoader.load(null, with(with(la, "IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", cs),
                "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_CONTAINER", "leases")).logAnalytics().lease())
                .as("file checkpoints: one instance, no lease").isNull();

        // invalid settings name their key and never echo the secret
        assertThatThrownBy(() -> ConfigLoader.load(null, with(la, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_ENABLED", "true")))
                .hasMessageStartingWith("loganalytics.lease.blobConnectionString");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(la, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_ENABLED", "maybe")))
                .hasMessageStartingWith("loganalytics.lease.enabled");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(la, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_BLOBCONNECTIONSTRING", storage)))
                .hasMessageStartingWith("loganalytics.lease.container");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(la, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_BLOBCONNECTIONSTRING",
                "this is my secret key")))
                .hasMessageStartingWith("loganalytics.lease.blobConnectionString").hasMessageNotContaining("secret key");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(la, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_BLOBCONNECTIONSTRING",
                "AccountKey=hush;EndpointSuffix=core.windows.net")))
                .hasMessageStartingWith("loganalytics.lease.blobConnectionString").hasMessageNotContaining("hush");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(replicas, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_DURATION", "10s")))
                .hasMessageStartingWith("loganalytics.lease.duration");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(replicas, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_DURATION", "-1")))
                .hasMessageStartingWith("loganalytics.lease.duration");
        assertThatThrownBy(() -> ConfigLoader.load(null, with(replicas, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_DURATION", "2m")))
                .hasMessageStartingWith("loganalytics.lease.duration");
        for (String bad : new String[]{"Leases", "ab", "a--b", "-ab", "ab-", "a_b"}) {
            assertThatThrownBy(() -> ConfigLoader.load(null, with(replicas, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_CONTAINER", bad)))
                    .as(bad).hasMessageStartingWith("loganalytics.lease.container");
        }
        assertThatThrownBy(() -> ConfigLoader.load(null, with(replicas, "IOTHUB_EXPORTER_LOGANALYTICS_LEASE_BLOB", "poller/")))
                .hasMessageStartingWith("loganalytics.lease.blob");
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }

    @Test
    void renewalPeriodsPerSdkCanBeOverridden() throws Exception {
        ExporterConfig c = ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_CLASSIFICATION_RENEWALPERIODS", "node=30m, dotnet=2h,c=0"));
        assertThat(c.renewalPeriods()).containsEntry("node", Duration.ofMinutes(30)).containsEntry("dotnet", Duration.ofHours(2))
                .containsEntry("c", Duration.ZERO);
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_CLASSIFICATION_RENEWALPERIODS", "cobol=1h")))
                .hasMessageContaining("classification.renewalPeriods");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_CLASSIFICATION_RENEWALPERIODS", "node=soon")))
                .hasMessageContaining("classification.renewalPeriods");
    }

    @Test
    void sizesAndDurations() throws Exception {
        ExporterConfig c = ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_WEBHOOK_MAXBODYBYTES", "512KiB",
                "IOTHUB_EXPORTER_STATE_SNAPSHOTINTERVAL", "90s"));
        assertThat(c.webhookMaxBodyBytes()).isEqualTo(512 * 1024);
        assertThat(c.snapshotInterval()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void everyKeyIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("docs/configuration.md"));
        for (ConfigKeys.Key k : ConfigKeys.ALL.values()) {
            assertThat(doc).as(k.path()).contains("`" + k.path() + "`").contains(k.envName());
        }
        assertThat(List.copyOf(ConfigKeys.ALL.keySet())).contains("server.port", "webhook.secret", "grafana.token",
                "state.dir", "simulator.enabled", "simulator.devices", "simulator.speed", "simulator.seed",
                "classification.reconnectGrace", "eventhubs.connectionString", "eventhubs.consumerGroup",
                "eventhubs.checkpoint.type", "eventhubs.checkpoint.blobConnectionString", "eventhubs.checkpoint.container",
                "eventhubs.startPosition", "loganalytics.workspaceId", "loganalytics.endpoint", "loganalytics.interval",
                "critical.devices");
    }

    @Test
    void eventHubsKeysAreValidated() throws Exception {
        String cs = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=conn-events";
        ExporterConfig c = ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", cs));
        assertThat(c.eventHubs().configured()).isTrue();
        assertThat(c.eventHubs().resolvedEventHubName()).isEqualTo("conn-events");
        assertThat(c.eventHubs().loadBalancingStrategy()).isEqualTo("auto");
        assertThat(c.eventHubs().greedy()).as("auto with file checkpoints: one instance").isTrue();
        assertThat(c.eventHubs().checkpointType()).isEqualTo("file");
        assertThat(c.simulatorEnabled()).as("auto: Event Hubs means real input").isFalse();
        assertThat(c.toString()).doesNotContain("SharedAccessKey=s");

        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING",
                "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s")))
                .hasMessageStartingWith("eventhubs.connectionString");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_NAMESPACE", "ns.servicebus.windows.net")))
                .hasMessageStartingWith("eventhubs.eventHubName");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", cs,
                "IOTHUB_EXPORTER_EVENTHUBS_NAMESPACE", "ns.servicebus.windows.net")))
                .hasMessageStartingWith("eventhubs.namespace");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", cs,
                "IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_TYPE", "blob")))
                .hasMessageStartingWith("eventhubs.checkpoint.blobConnectionString");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", cs,
                "IOTHUB_EXPORTER_EVENTHUBS_LOADBALANCINGSTRATEGY", "random")))
                .hasMessageStartingWith("eventhubs.loadBalancingStrategy");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", cs,
                "IOTHUB_EXPORTER_EVENTHUBS_LOADBALANCINGINTERVAL", "2m")))
                .hasMessageStartingWith("eventhubs.ownershipExpiration");
        ExporterConfig aad = ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_NAMESPACE", "ns.servicebus.windows.net",
                "IOTHUB_EXPORTER_EVENTHUBS_EVENTHUBNAME", "conn-events", "IOTHUB_EXPORTER_EVENTHUBS_LOADBALANCINGSTRATEGY", "GREEDY"));
        assertThat(aad.eventHubs().resolvedEventHubName()).isEqualTo("conn-events");
        assertThat(aad.eventHubs().greedy()).isTrue();
        ExporterConfig replicas = ConfigLoader.load(null, Map.of("IOTHUB_EXPORTER_EVENTHUBS_CONNECTIONSTRING", cs,
                "IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_TYPE", "blob", "IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_BLOBCONNECTIONSTRING", "x",
                "IOTHUB_EXPORTER_EVENTHUBS_CHECKPOINT_CONTAINER", "c"));
        assertThat(replicas.eventHubs().greedy()).as("auto with blob checkpoints: replicas").isFalse();
    }
}
