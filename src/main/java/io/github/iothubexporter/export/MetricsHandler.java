package io.github.iothubexporter.export;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** GET /metrics: the 0.0.4 text format, or OpenMetrics when the scraper asks for it. */
public final class MetricsHandler implements Handler<RoutingContext> {
    private final CollectorRegistry registry;

    public MetricsHandler(CollectorRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String contentType = TextFormat.chooseContentType(ctx.request().getHeader("Accept"));
        ctx.response().putHeader("Content-Type", contentType).end(Buffer.buffer(render(registry, contentType)));
    }

    /** Renders the registry; scrape cost is bounded by hubs and critical devices, not by fleet size. */
    public static String render(CollectorRegistry registry, String contentType) {
        StringWriter w = new StringWriter(16 * 1024);
        try {
            // _created belongs to a counter in OpenMetrics; the 0.0.4 format can only show it as a separate gauge per
            // series, which doubles the largest families for a value Prometheus does not use there
            TextFormat.writeFormat(contentType, w, contentType.startsWith(TextFormat.CONTENT_TYPE_OPENMETRICS_100)
                    ? registry.metricFamilySamples()
                    : withoutCreated(registry.metricFamilySamples()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * The families without their {@code _created} samples. Filtered here rather than with the registry's own name
     * filter, which also skips custom collectors whose families did not exist yet when they were registered.
     */
    private static java.util.Enumeration<Collector.MetricFamilySamples> withoutCreated(
            java.util.Enumeration<Collector.MetricFamilySamples> families) {
        java.util.List<Collector.MetricFamilySamples> out = new java.util.ArrayList<>();
        while (families.hasMoreElements()) {
            Collector.MetricFamilySamples f = families.nextElement();
            java.util.List<Collector.MetricFamilySamples.Sample> kept = new java.util.ArrayList<>(f.samples.size());
            for (Collector.MetricFamilySamples.Sample sample : f.samples) {
                if (!sample.name.endsWith("_created")) {
                    kept.add(sample);
                }
            }
            out.add(kept.size() == f.samples.size() ? f : new Collector.MetricFamilySamples(f.name, f.unit, f.type, f.help, kept));
        }
        return java.util.Collections.enumeration(out);
    }
}
