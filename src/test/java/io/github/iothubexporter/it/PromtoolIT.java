package io.github.iothubexporter.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * DESIGN §5: "`promtool check metrics` passes on the output", on the real /metrics of the running jar after
 * events (including critical devices, so the per-device series exist) and a rejected event have been posted.
 */
class PromtoolIT {
    private static final String SECRET = "promtool-it-secret";

    @TempDir
    Path tmp;

    private ExporterProcess exporter;

    @AfterEach
    void kill() {
        if (exporter != null && exporter.isAlive()) {
            exporter.kill9();
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void promtoolAcceptsTheTextExpositionAndOpenMetricsEndsWithEof() throws Exception {
        Path promtool = promtool();
        exporter = ExporterProcess.start(new ExporterProcess.Options("promtool", tmp.resolve("state"), SECRET)
                .critical(EventScript.CRITICAL_DEVICES));
        ExporterApi api = new ExporterApi(exporter, SECRET);
        EventScript script = EventScript.generate(5L, 30, 6, 50);
        for (EventScript.Batch b : script.batches()) {
            ExporterApi.Delivery d = api.post(b.body());
            assertThat(d.status()).as("batch %d: %s", b.index(), d.body()).isEqualTo(200);
        }
        // One good event next to a bad one: the rejected counter gets a non-zero series too.
        String bad = script.events().get(0).json().replaceFirst("\"sequenceNumber\":\"[0-9A-Fa-f]+\"", "\"sequenceNumber\":\"12ab\"");
        ExporterApi.Delivery mixed = api.post("[" + bad + "," + script.events().get(1).json() + "]");
        assertThat(mixed.status()).as(mixed.body()).isEqualTo(200);
        assertThat(mixed.count("rejected")).as(mixed.body()).isEqualTo(1);

        HttpResponse<String> text = api.metrics(ExporterApi.TEXT_004);
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("Content-Type")).get().asString()
                .startsWith("text/plain").contains("version=0.0.4");
        String body = text.body();
        assertThat(body).contains("iothub_devices_connected{", "iothub_devices_tracked{", "iothub_critical_device_connected{",
                "iothub_critical_device_state_changed_timestamp_seconds{", "iothub_connection_events_total{",
                "iothub_exporter_build_info{", "iothub_events_rejected_total{");
        Path file = ExporterProcess.logDir().resolve("promtool-metrics.txt");
        Files.writeString(file, body, StandardCharsets.UTF_8);

        Result check = checkMetrics(promtool, file);
        if (check.code() != 0) {
            fail("promtool check metrics < " + file + " exited with " + check.code() + "\nstderr:\n" + check.stderr()
                    + "\nstdout:\n" + check.stdout());
        }

        // The harness really feeds promtool: a broken exposition must fail.
        Path broken = tmp.resolve("broken.txt");
        Files.writeString(broken, "# TYPE iothub_broken gauge\niothub_broken{hub=\"x\" 1\n", StandardCharsets.UTF_8);
        assertThat(checkMetrics(promtool, broken).code()).as("promtool on a broken exposition").isNotZero();

        HttpResponse<String> om = api.metrics(ExporterApi.OPENMETRICS);
        assertThat(om.statusCode()).isEqualTo(200);
        assertThat(om.headers().firstValue("Content-Type")).get().asString().startsWith("application/openmetrics-text");
        String omBody = om.body();
        Files.writeString(ExporterProcess.logDir().resolve("promtool-metrics.openmetrics.txt"), omBody, StandardCharsets.UTF_8);
        assertThat(omBody).endsWith("# EOF\n");
        assertThat(omBody.indexOf("# EOF")).as("exactly one # EOF, at the end").isEqualTo(omBody.length() - "# EOF\n".length());
        assertOpenMetricsSane(omBody);
        assertThat(MetricsText.numbers(omBody, n -> n.equals("iothub_devices_connected") || n.equals("iothub_devices_tracked")
                || n.equals("iothub_critical_device_connected")))
                .as("state gauges are the same in both formats")
                .isEqualTo(MetricsText.numbers(body, n -> n.equals("iothub_devices_connected") || n.equals("iothub_devices_tracked")
                        || n.equals("iothub_critical_device_connected")));
    }

    /** Every family declared once; every sample belongs to the family declared before it; counters end in _total/_created. */
    private static void assertOpenMetricsSane(String body) {
        Map<String, String> types = new HashMap<>();
        String family = null;
        List<String> problems = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.equals("# EOF")) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                family = parts[2];
                if (types.put(family, parts[3]) != null) {
                    problems.add("family " + family + " declared twice");
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            String name = MetricsText.parse(line).name();
            if (family == null || !name.startsWith(family)) {
                problems.add("sample " + name + " outside its family (" + family + ")");
            } else if ("counter".equals(types.get(family)) && !(name.equals(family + "_total") || name.equals(family + "_created"))) {
                problems.add("counter sample " + name + " of " + family + " lacks _total/_created");
            }
        }
        assertThat(problems).as("OpenMetrics structure").isEmpty();
        assertThat(types).containsEntry("iothub_devices_connected", "gauge")
                .containsEntry("iothub_critical_device_connected", "gauge")
                .containsEntry("iothub_connection_events", "counter");
    }

    private record Result(int code, String stdout, String stderr) {
    }

    private static Result checkMetrics(Path promtool, Path input) throws IOException, InterruptedException {
        Path out = Files.createTempFile("promtool", ".out");
        Path err = Files.createTempFile("promtool", ".err");
        try {
            Process p = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(input.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("promtool check metrics did not finish within 30 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** promtool from PATH; a missing promtool fails the test (CI installs it), it is never skipped. */
    static Path promtool() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, "promtool");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new AssertionError("promtool is not on PATH. Install Debian's prometheus package, which provides it: "
                + "'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus' "
                + "(CI installs it). This check is required and is not skipped.");
    }
}
