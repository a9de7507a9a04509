package io.github.iothubexporter.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.iothubexporter.config.ConfigKeys;
import io.github.iothubexporter.config.ConfigLoader;
import io.github.iothubexporter.config.ExporterConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml and the Dockerfile, without a Docker engine (none runs here): Compose itself validates the file
 * (`docker-compose config -q`, Debian's docker-compose), and this test checks that the pieces line up: every mounted
 * file exists, services find each other under the names and ports the configs use, the exporter's environment is a
 * valid configuration, and the image gets the jar Maven builds.
 */
class DockerComposeTest {
    private static final Pattern DEFAULTED = Pattern.compile("\\$\\{([A-Z0-9_]+):-([^}]*)}");

    private static JsonNode compose() {
        return OpsFiles.yaml(OpsFiles.file("docker-compose.yml"));
    }

    private static JsonNode service(String name) {
        JsonNode s = compose().path("services").path(name);
        assertThat(s.isObject()).as("service %s", name).isTrue();
        return s;
    }

    @Test
    void composeAcceptsTheFile() {
        Path compose = OpsFiles.binary("docker-compose", "docker-compose");
        OpsFiles.Run r = OpsFiles.run(OpsFiles.root(), 60, compose.toString(), "-f", "docker-compose.yml", "config", "-q");
        assertThat(r.code()).as("docker-compose config -q: %s", r).isZero();
        OpsFiles.Run services = OpsFiles.run(OpsFiles.root(), 60, compose.toString(), "-f", "docker-compose.yml", "config", "--services");
        assertThat(services.output().lines().toList()).containsExactlyInAnyOrder("exporter", "prometheus", "alertmanager", "grafana");
    }

    @Test
    void everyBindMountExistsAndServicesFindEachOther() {
        Map<String, Path> mounts = new LinkedHashMap<>(); // container path -> host path, per service
        List<String> problems = new ArrayList<>();
        for (String svc : List.of("exporter", "prometheus", "alertmanager", "grafana")) {
            for (JsonNode v : service(svc).path("volumes")) {
                String[] parts = v.asText().split(":");
                if (parts[0].startsWith(".")) {
                    Path host = OpsFiles.root().resolve(parts[0]).normalize();
                    if (!Files.exists(host)) {
                        problems.add(svc + ": " + parts[0] + " does not exist");
                    }
                    mounts.put(svc + " " + parts[1], host);
                } else if (!compose().path("volumes").has(parts[0])) {
                    problems.add(svc + ": named volume " + parts[0] + " is not declared");
                }
            }
        }
        assertThat(problems).isEmpty();

        // Prometheus: its config file is in a mounted directory, and it loads the rules and finds the other two
        Path promConfig = hostPath(mounts, "prometheus", flag(service("prometheus"), "--config.file"));
        assertThat(promConfig).isEqualTo(OpsFiles.file(OpsFiles.PROMETHEUS));
        JsonNode prom = OpsFiles.yaml(promConfig);
        for (JsonNode rules : prom.path("rule_files")) {
            assertThat(promConfig.getParent().resolve(rules.asText())).exists();
        }
        assertThat(prom.path("alerting").toString()).contains("alertmanager:" + containerPort(service("alertmanager"), 9093));
        JsonNode exporterJob = null;
        for (JsonNode job : prom.path("scrape_configs")) {
            if (job.path("job_name").asText().equals("iothub-exporter")) {
                exporterJob = job;
            }
        }
        assertThat(exporterJob).isNotNull();
        assertThat(exporterJob.path("static_configs").toString()).contains("exporter:" + exporterPort());
        assertThat(exporterJob.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");

        // Alertmanager: its config is the checked alert-rules/alertmanager.yml
        assertThat(hostPath(mounts, "alertmanager", flag(service("alertmanager"), "--config.file")))
                .isEqualTo(OpsFiles.file(OpsFiles.ALERTMANAGER));

        // Grafana: provisioning and dashboards where the provider looks, data sources at the services' addresses
        assertThat(mounts.get("grafana /etc/grafana/provisioning")).isEqualTo(OpsFiles.file("dashboards/provisioning"));
        assertThat(mounts.get("grafana " + OpsFiles.GRAFANA_DASHBOARDS_PATH)).isEqualTo(OpsFiles.file("dashboards"));
        JsonNode env = service("grafana").path("environment");
        assertThat(env.path("GF_INSTALL_PLUGINS").asText()).contains("simpod-json-datasource");
        String home = env.path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
        assertThat(home).startsWith(OpsFiles.GRAFANA_DASHBOARDS_PATH + "/");
        assertThat(OpsFiles.file("dashboards").resolve(home.substring(OpsFiles.GRAFANA_DASHBOARDS_PATH.length() + 1))).exists();
        for (JsonNode ds : OpsFiles.yaml(OpsFiles.file("dashboards/provisioning/datasources/iothub-datasources.yml")).path("datasources")) {
            String url = ds.path("url").asText();
            if (ds.path("type").asText().equals("prometheus")) {
                assertThat(url).isEqualTo("http://prometheus:" + containerPort(service("prometheus"), 9090));
            } else {
                assertThat(url).isEqualTo("http://exporter:" + exporterPort() + "/grafana");
            }
        }
    }

    @Test
    void theExporterEnvironmentIsAValidConfiguration() throws Exception {
        Map<String, String> env = new HashMap<>();
        service("exporter").path("environment").fields().forEachRemaining(e -> {
            Matcher m = DEFAULTED.matcher(e.getValue().asText());
            env.put(e.getKey(), m.matches() ? m.group(2) : e.getValue().asText());
        });
        for (String key : env.keySet()) {
            if (key.startsWith("IOTHUB_EXPORTER_")) {
                assertThat(ConfigKeys.ALL.values().stream().anyMatch(k -> k.envName().equals(key))).as("known key %s", key).isTrue();
            }
        }
        // the real loader: with the defaults of the file (no input set) it is the simulator on port 9786
        env.put("IOTHUB_EXPORTER_STATE_DIR", Files.createTempDirectory("compose-state").toString());
        ExporterConfig config = ConfigLoader.load(null, env);
        assertThat(config.port()).isEqualTo(exporterPort());
        // the image's state directory is the volume
        String dockerfile = Files.readString(OpsFiles.file("Dockerfile"));
        assertThat(dockerfile).contains("ENV IOTHUB_EXPORTER_STATE_DIR=" + service("exporter").path("environment").path("IOTHUB_EXPORTER_STATE_DIR").asText());
        assertThat(service("exporter").path("volumes").toString()).contains(":/var/lib/iothub-exporter");
    }

    @Test
    void theImageIsBuiltFromTheShadedJar() throws Exception {
        assertThat(service("exporter").path("build").asText()).isEqualTo(".");
        String dockerfile = Files.readString(OpsFiles.file("Dockerfile"));
        assertThat(dockerfile).contains("FROM eclipse-temurin:17-jre", "COPY target/iothub-connectivity-exporter.jar ",
                "EXPOSE " + exporterPort(), "ENTRYPOINT [\"java\"");
        // the jar the pom's shade plugin writes
        assertThat(Files.readString(OpsFiles.file("pom.xml"))).contains("<finalName>iothub-connectivity-exporter</finalName>");
        // .dockerignore sends only that jar to the build
        assertThat(Files.readAllLines(OpsFiles.file(".dockerignore"))).contains("*", "!target/iothub-connectivity-exporter.jar");
        assertThat(service("exporter").path("ports").toString()).contains(exporterPort() + ":" + exporterPort());
    }

    private static int exporterPort() {
        return Integer.parseInt(service("exporter").path("environment").path("IOTHUB_EXPORTER_SERVER_PORT").asText());
    }

    /** The container port published by a service (host:container), or the image default when not published. */
    private static int containerPort(JsonNode svc, int imageDefault) {
        for (JsonNode p : svc.path("ports")) {
            String[] parts = p.asText().split(":");
            int container = Integer.parseInt(parts[parts.length - 1]);
            assertThat(container).as("%s listens on its image default", svc).isEqualTo(imageDefault);
            return container;
        }
        return imageDefault;
    }

    private static String flag(JsonNode svc, String name) {
        for (JsonNode c : svc.path("command")) {
            if (c.asText().startsWith(name + "=")) {
                return c.asText().substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " not in " + svc.path("command"));
    }

    /** Maps a container path of a service back to the host through its bind mounts. */
    private static Path hostPath(Map<String, Path> mounts, String svc, String containerPath) {
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            String prefix = svc + " ";
            if (m.getKey().startsWith(prefix)) {
                String target = m.getKey().substring(prefix.length());
                if (containerPath.startsWith(target + "/")) {
                    return m.getValue().resolve(containerPath.substring(target.length() + 1)).normalize();
                }
            }
        }
        throw new AssertionError(svc + ": " + containerPath + " is not in a bind mount");
    }
}
