package io.github.iothubexporter.export;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.exporter.common.TextFormat;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsHandlerTest {

    @Test
    void createdSeriesOnlyInOpenMetrics() {
        CollectorRegistry registry = new CollectorRegistry();
        Counter c = Counter.build("iothub_test_events_total", "test").labelNames("hub").register(registry);
        c.labels("h1").inc();
        String text = MetricsHandler.render(registry, TextFormat.CONTENT_TYPE_004);
        assertThat(text).contains("iothub_test_events_total{hub=\"h1\",} 1.0").doesNotContain("_created");
        String open = MetricsHandler.render(registry, TextFormat.CONTENT_TYPE_OPENMETRICS_100);
        assertThat(open).contains("iothub_test_events_created{hub=\"h1\"}").endsWith("# EOF\n");
    }
}
