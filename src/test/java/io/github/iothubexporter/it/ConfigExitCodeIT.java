package io.github.iothubexporter.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** DESIGN §7: "Invalid config ⇒ exit code 2 and a message naming the key", for the real jar. */
class ConfigExitCodeIT {
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(25);

    @TempDir
    Path tmp;

    static Stream<Arguments> invalidConfigurations() {
        return Stream.of(
                Arguments.of("unknown key in the YAML file", "server:\n  port: 9786\n  prot: 9000\n", Map.of(), "server.prot"),
                Arguments.of("unknown key in a nested YAML group", "eventhubs:\n  checkpoint:\n    kind: file\n", Map.of(),
                        "eventhubs.checkpoint.kind"),
                Arguments.of("non-numeric port in the YAML file", "server:\n  port: abc\n", Map.of(), "server.port"),
                Arguments.of("non-numeric port from the environment", null,
                        Map.of("IOTHUB_EXPORTER_SERVER_PORT", "notanumber"), "server.port"),
                Arguments.of("port out of range from the environment", null,
                        Map.of("IOTHUB_EXPORTER_SERVER_PORT", "70000"), "server.port"),
                Arguments.of("unknown IOTHUB_EXPORTER_ variable", null, Map.of("IOTHUB_EXPORTER_FOO", "bar"), "IOTHUB_EXPORTER_FOO"),
                Arguments.of("invalid duration from the environment", null,
                        Map.of("IOTHUB_EXPORTER_CLASSIFICATION_RECONNECTGRACE", "soon"), "classification.reconnectGrace"),
                Arguments.of("a lease shorter than Azure allows", "loganalytics:\n  workspaceId: 3f1c2a5e-0b7d-4c1e-9a55-0d4c1e2f3a4b\n"
                                + "  lease:\n    blobConnectionString: UseDevelopmentStorage=true\n    container: leases\n    duration: 5s\n",
                        Map.of(), "loganalytics.lease.duration"),
                Arguments.of("a state.dir that cannot be created", null,
                        Map.of("IOTHUB_EXPORTER_STATE_DIR", "/dev/null/state"), "state.dir"),
                Arguments.of("environment overrides a valid YAML value with an invalid one", "server:\n  port: 9786\n",
                        Map.of("IOTHUB_EXPORTER_SERVER_PORT", "notanumber"), "server.port"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigurations")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void invalidConfigurationExitsWithCodeTwoNamingTheKey(String description, String yaml, Map<String, String> env,
                                                          String expectedKey) throws Exception {
        List<String> args = new ArrayList<>();
        if (yaml != null) {
            Path file = tmp.resolve("exporter.yaml");
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            args.add("--config");
            args.add(file.toString());
        }
        Map<String, String> fullEnv = new LinkedHashMap<>();
        // Valid values for everything else, so only the key under test can be the reason to exit.
        fullEnv.put("IOTHUB_EXPORTER_STATE_DIR", tmp.resolve("state").toString());
        fullEnv.put("IOTHUB_EXPORTER_WEBHOOK_SECRET", "config-it-secret");
        if (!env.containsKey("IOTHUB_EXPORTER_SERVER_PORT") && (yaml == null || !yaml.contains("port:"))) {
            fullEnv.put("IOTHUB_EXPORTER_SERVER_PORT", Integer.toString(ExporterProcess.freePort()));
        }
        fullEnv.putAll(env);

        ExporterProcess.Exit exit = ExporterProcess.runToExit("config-exit", tmp, args, fullEnv, EXIT_TIMEOUT);
        assertThat(exit.code()).as("exit code for %s; stderr:%n%s", description, exit.stderr()).isEqualTo(2);
        assertThat(exit.stderr()).as("stderr names the offending key").contains(expectedKey);
        assertThat(tmp.resolve("state")).as("nothing is started on an invalid configuration").doesNotExist();
    }

    static Stream<Arguments> blankValues() {
        return Stream.of(
                Arguments.of(null, "IOTHUB_EXPORTER_CLASSIFICATION_RECONNECTGRACE", "classification.reconnectGrace"),
                Arguments.of(null, "IOTHUB_EXPORTER_SIMULATOR_ENABLED", "simulator.enabled"),
                Arguments.of(null, "IOTHUB_EXPORTER_STATE_FSYNC", "state.fsync"),
                Arguments.of(null, "IOTHUB_EXPORTER_SIMULATOR_SPEED", "simulator.speed"),
                Arguments.of(null, "IOTHUB_EXPORTER_WEBHOOK_MAXBODYBYTES", "webhook.maxBodyBytes"),
                Arguments.of(null, "IOTHUB_EXPORTER_STATE_DIR", "state.dir"),
                Arguments.of("classification:\n  reconnectGrace: \"\"\n", null, "classification.reconnectGrace"));
    }

    /**
     * An empty value (common with compose/Kubernetes templating, e.g. {@code FOO: ${FOO:-}}) must either count as unset
     * (the default applies and the exporter starts) or be a configuration error: exit code 2 naming the key.
     * It must never crash with an unhandled exception (exit code 1, no key named).
     */
    @ParameterizedTest(name = "blank {2}")
    @MethodSource("blankValues")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void blankValueIsEitherTheDefaultOrAConfigErrorNamingTheKey(String yaml, String envVar, String key) throws Exception {
        List<String> args = new ArrayList<>();
        if (yaml != null) {
            Path file = tmp.resolve("exporter.yaml");
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            args.add("--config");
            args.add(file.toString());
        }
        int port = ExporterProcess.freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("IOTHUB_EXPORTER_SERVER_PORT", Integer.toString(port));
        env.put("IOTHUB_EXPORTER_STATE_DIR", tmp.resolve("state").toString());
        env.put("IOTHUB_EXPORTER_WEBHOOK_SECRET", "config-it-secret");
        if (envVar != null) {
            env.put(envVar, "");
        }
        ExporterProcess.Launched l = ExporterProcess.launch("config-blank", tmp, args, env);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + EXIT_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (l.process().waitFor(200, TimeUnit.MILLISECONDS)) {
                    int code = l.process().exitValue();
                    String stderr = l.stderrText();
                    assertThat(code).as("a blank %s must be a configuration error (exit 2) or the default, not a crash; "
                            + "stderr:%n%s", key, stderr).isEqualTo(2);
                    assertThat(stderr).as("stderr names the key").contains(key);
                    return;
                }
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return; // blank counted as unset: the default applied and the exporter runs
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            throw new AssertionError("exporter neither exited nor became ready within " + EXIT_TIMEOUT + "; stderr:\n"
                    + l.stderrText());
        } finally {
            if (l.process().isAlive()) {
                l.process().destroyForcibly();
                l.process().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void missingConfigFileExitsWithCodeTwo() {
        Path missing = tmp.resolve("does-not-exist.yaml");
        ExporterProcess.Exit exit = ExporterProcess.runToExit("config-exit", tmp, List.of("--config", missing.toString()),
                Map.of("IOTHUB_EXPORTER_STATE_DIR", tmp.resolve("state").toString(), "IOTHUB_EXPORTER_WEBHOOK_SECRET", "x"),
                EXIT_TIMEOUT);
        assertThat(exit.code()).as("stderr:%n%s", exit.stderr()).isEqualTo(2);
        assertThat(exit.stderr()).contains(missing.toString());
    }
}
