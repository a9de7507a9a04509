package io.github.iothubexporter.app;

import io.github.iothubexporter.config.ExporterConfig;
import io.github.iothubexporter.export.ExporterMetrics;
import io.github.iothubexporter.export.MetricsHandler;
import io.github.iothubexporter.grafana.GrafanaBackend;
import io.github.iothubexporter.ingest.DeadLetterLog;
import io.github.iothubexporter.ingest.EventGridWebhook;
import io.github.iothubexporter.ingest.WebhookAuth;
import io.github.iothubexporter.model.EventTimes;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.IntConsumer;
import java.util.function.Supplier;

/** The HTTP surface of DESIGN §6. One instance per core share the port; handlers never block. */
final class HttpServerVerticle extends VerticleBase {

    record Dependencies(ExporterConfig config, StateWriter writer, ExporterMetrics metrics, DeadLetterLog deadLetters,
                        WebhookAuth webhookAuth, GrafanaBackend grafana, DeviceApi devices, Supplier<Status> status) {
    }

    record Status(boolean stateReady, boolean simulated, Throwable failure, java.util.List<SourceHealth> sources) {
        /** Ready when the state is restored and every configured source is healthy. */
        boolean ready() {
            return stateReady && sources.stream().allMatch(SourceHealth::ready);
        }
    }

    /** One configured input's health, e.g. the Log Analytics poller. */
    record SourceHealth(String name, boolean ready, String detail) {
    }

    private final Dependencies deps;
    private final IntConsumer boundPort;

    HttpServerVerticle(Dependencies deps, IntConsumer boundPort) {
        this.deps = deps;
        this.boundPort = boundPort;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/").handler(this::landing);
        router.get("/metrics").handler(new MetricsHandler(deps.metrics().registry()));
        router.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("ok\n"));
        router.get("/readyz").handler(this::ready);
        new EventGridWebhook(deps.writer(), deps.metrics(), deps.deadLetters(), deps.webhookAuth(),
                deps.config().webhookMaxBodyBytes()).mount(router);
        router.get("/api/devices/:hub/:device").handler(deps.devices()::handle);
        deps.grafana().mount(router);
        HttpServerOptions options = new HttpServerOptions()
                .setHost(deps.config().host())
                .setPort(deps.config().port())
                .setCompressionSupported(true)
                .setHttp2ClearTextEnabled(false) // HTTP/1.1 only: scrapers and Event Grid need nothing else
                .setDecompressionSupported(false);
        return vertx.createHttpServer(options).requestHandler(router).listen()
                .onSuccess(server -> boundPort.accept(server.actualPort()));
    }

    private void ready(RoutingContext ctx) {
        Status s = deps.status().get();
        JsonObject body = new JsonObject().put("state", s.stateReady() ? "ready" : s.failure() != null ? "failed" : "restoring");
        if (s.failure() != null) {
            body.put("error", s.failure().toString());
        }
        if (!s.sources().isEmpty()) {
            JsonObject sources = new JsonObject();
            for (SourceHealth h : s.sources()) {
                sources.put(h.name(), new JsonObject().put("ready", h.ready()).put("detail", h.detail()));
            }
            body.put("sources", sources);
        }
        ctx.response().setStatusCode(s.ready() ? 200 : 503).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private void landing(RoutingContext ctx) {
        Status s = deps.status().get();
        var stats = deps.writer().store().stats();
        StringBuilder hubs = new StringBuilder();
        String[] names = stats.hubs();
        for (int i = 0; i < names.length; i++) {
            hubs.append("<tr><td>").append(Html.escape(names[i])).append("</td><td>").append(stats.connected(i))
                    .append("</td><td>").append(stats.tracked(i)).append("</td></tr>");
        }
        String banner = s.simulated()
                ? deps.config().realInputConfigured()
                  ? "<p class=sim><b>SIMULATED DATA MIXED WITH REAL DATA.</b> <code>simulator.enabled=true</code>: the "
                    + "built-in fleet simulator feeds the pipeline next to the configured inputs (its hubs are named "
                    + "<code>contoso-sim-*</code>). Set <code>simulator.enabled</code> to <code>auto</code> for real data only.</p>"
                  : "<p class=sim><b>SIMULATED DATA.</b> No input is configured, so the built-in fleet simulator is "
                    + "feeding the pipeline. Configure <code>webhook.secret</code> and point Event Grid at "
                    + EventGridWebhook.PATH + " for real data.</p>"
                : "";
        String html = """
                <!doctype html><html><head><meta charset="utf-8"><title>IoT Hub connectivity exporter</title>
                <style>body{font-family:sans-serif;margin:2em;max-width:60em}.sim{background:#fff3cd;padding:.8em;border:1px solid #e0c060}
                td,th{padding:.2em .8em;text-align:left}</style></head><body>
                <h1>IoT Hub connectivity exporter</h1>%s
                <p>State: <b>%s</b> · connected %d of %d tracked identities</p>%s
                <table><tr><th>hub</th><th>connected</th><th>tracked</th></tr>%s</table>
                <ul><li><a href="/metrics">/metrics</a> (Prometheus)</li><li><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></li>
                <li>Event Grid webhook: <code>%s</code></li>
                <li>Device state: <code>/api/devices/{hub}/{deviceId}[?moduleId=…]</code></li>
                <li>Grafana data source (simpod-json-datasource): <code>%s</code></li></ul>
                <p>Version %s (%s)</p></body></html>
                """.formatted(banner, s.stateReady() ? "ready" : "restoring", stats.totalConnected(), stats.totalTracked(),
                sourcesHtml(s), hubs, Html.escape(EventGridWebhook.describe(deps.webhookAuth())),
                Html.escape(deps.grafana().describe()), ExporterMetrics.BuildInfo.VERSION,
                ExporterMetrics.BuildInfo.REVISION);
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html);
    }

    private static String sourcesHtml(Status s) {
        StringBuilder b = new StringBuilder();
        for (SourceHealth h : s.sources()) {
            b.append("<p>").append(Html.escape(h.name())).append(": <b>").append(h.ready() ? "ready" : "not ready")
                    .append("</b> · ").append(Html.escape(h.detail())).append("</p>");
        }
        return b.toString();
    }

    /** Minimal HTML escaping for values shown on the landing page. */
    static final class Html {
        private Html() {
        }

        static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }
    }
}
