package io.github.iothubexporter.export;

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
                    : registry.filteredMetricFamilySamples(name -> !name.endsWith("_created")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
