package io.github.iothubexporter.bench;

import io.github.iothubexporter.classify.ClassificationSettings;
import io.github.iothubexporter.classify.DisconnectClassifier;
import io.github.iothubexporter.classify.SdkVersionTable;
import io.github.iothubexporter.export.ExporterMetrics;
import io.github.iothubexporter.export.MetricsHandler;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.prometheus.client.exporter.common.TextFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one {@code GET /metrics} body (without HTTP) at different fleet sizes: the registry of
 * {@link ExporterMetrics} (state aggregates, input counters, delay histogram, build info, JVM collectors)
 * rendered by {@link MetricsHandler#render}. Devices {@code meter-00000??} are configured critical (100
 * identities, 90 of them plain devices), so per-device series exist but do not grow with the fleet.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class MetricsRenderBenchmark {
    @Param({"10000", "1000000"})
    public int identities;

    ExporterMetrics metrics;

    @Setup(Level.Trial)
    public void fill() {
        StateStore store = new StateStore(100, new CriticalDevices(List.of("meter-00000??")), 1000);
        Fleet.fill(store, identities, 2);
        DisconnectClassifier classifier = new DisconnectClassifier(
                ClassificationSettings.defaults(java.time.Duration.ofSeconds(180)), 100, new SdkVersionTable());
        metrics = new ExporterMetrics(store.stats(), classifier);
        metrics.declareSource(EventSource.WEBHOOK);
        String body = MetricsHandler.render(metrics.registry(), TextFormat.CONTENT_TYPE_004);
        System.out.printf("%n[setup] %d identities, /metrics body %d bytes, %d lines%n", identities, body.length(),
                body.lines().count());
    }

    @Benchmark
    public String render004() {
        return MetricsHandler.render(metrics.registry(), TextFormat.CONTENT_TYPE_004);
    }

    @Benchmark
    public String renderOpenMetrics() {
        return MetricsHandler.render(metrics.registry(), TextFormat.CONTENT_TYPE_OPENMETRICS_100);
    }
}
