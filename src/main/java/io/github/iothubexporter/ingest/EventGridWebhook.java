package io.github.iothubexporter.ingest;

import io.github.iothubexporter.export.ExporterMetrics;
import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.state.ApplyResult;
import io.github.iothubexporter.state.StateWriter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST|OPTIONS /api/eventgrid}: Event Grid schema and CloudEvents 1.0 deliveries, the Event Grid
 * validation handshake and the CloudEvents abuse-protection (OPTIONS) handshake. The answer is sent only
 * when the batch is durable. Bad events in a batch are counted and dead-lettered while the good ones apply
 * (answering 200), because Event Grid would otherwise retry the whole batch for a day.
 */
public final class EventGridWebhook {
    public static final String PATH = "/api/eventgrid";
    private static final Set<String> MEDIA_TYPES = Set.of("application/json", "application/cloudevents+json",
            "application/cloudevents-batch+json", "text/json");
    private static final int MAX_ERRORS_IN_RESPONSE = 20;

    private final StateWriter writer;
    private final ExporterMetrics metrics;
    private final DeadLetterLog deadLetters;
    private final WebhookAuth auth;
    private final int maxBodyBytes;
    private final EventGridParser parser = new EventGridParser();

    public EventGridWebhook(StateWriter writer, ExporterMetrics metrics, DeadLetterLog deadLetters, WebhookAuth auth,
                            int maxBodyBytes) {
        this.writer = writer;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void mount(Router router) {
        router.route(PATH).handler(this::authenticate);
        router.options(PATH).handler(this::handshake);
        router.post(PATH).handler(this::checkMediaType);
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes).setPreallocateBodyBuffer(true))
                .handler(this::deliver)
                .failureHandler(this::failure);
        router.route(PATH).handler(ctx -> error(ctx.response().putHeader("Allow", "POST, OPTIONS").setStatusCode(405)
                .putHeader("Content-Type", "application/json"), "method " + ctx.request().method() + " is not allowed; use POST"));
    }

    private void authenticate(RoutingContext ctx) {
        if (auth.allows(ctx.request())) {
            ctx.next();
            return;
        }
        metrics.rejected(EventSource.WEBHOOK, RejectReason.UNAUTHORIZED, 1);
        ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                .putHeader("WWW-Authenticate", "X-Webhook-Key");
        error(ctx.response(), "missing or wrong webhook secret: send it as query parameter '" + WebhookAuth.QUERY
                + "' or header '" + WebhookAuth.HEADER + "'");
    }

    /** CloudEvents 1.0 webhook abuse protection: grant the origin that asks. */
    private void handshake(RoutingContext ctx) {
        String origin = ctx.request().getHeader("WebHook-Request-Origin");
        var response = ctx.response().setStatusCode(200).putHeader("Allow", "POST, OPTIONS");
        if (origin != null) {
            response.putHeader("WebHook-Allowed-Origin", origin);
            String rate = ctx.request().getHeader("WebHook-Request-Rate");
            response.putHeader("WebHook-Allowed-Rate", rate != null ? rate : "*");
        }
        response.end();
    }

    private void checkMediaType(RoutingContext ctx) {
        String ct = ctx.request().getHeader("Content-Type");
        if (ct != null) {
            String type = ct.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!MEDIA_TYPES.contains(type)) {
                metrics.rejected(EventSource.WEBHOOK, RejectReason.UNSUPPORTED_MEDIA_TYPE, 1);
                error(ctx.response().setStatusCode(415).putHeader("Content-Type", "application/json"),
                        "Content-Type " + type + " is not supported; send application/json, application/cloudevents+json "
                                + "or application/cloudevents-batch+json");
                return;
            }
        }
        ctx.next();
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            metrics.rejected(EventSource.WEBHOOK, RejectReason.TOO_LARGE, 1);
            error(ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json"),
                    "body exceeds webhook.maxBodyBytes (" + maxBodyBytes + " bytes); lower the subscription's "
                            + "preferredBatchSizeInKilobytes");
        } else if (status >= 400 && status < 500) {
            error(ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json"), "bad request");
        } else {
            ctx.response().setStatusCode(500);
            error(ctx.response().putHeader("Content-Type", "application/json"), "internal error");
        }
    }

    private void deliver(RoutingContext ctx) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        ParsedBatch batch;
        try {
            batch = parser.parse(body, 0, body.length);
        } catch (BodyException e) {
            metrics.rejected(EventSource.WEBHOOK, e.reason(), 1);
            deadLetters.append(List.of(new DeadLetterLog.Entry(EventSource.WEBHOOK, e.reason(), e.getMessage(), body, 0,
                    body.length, false, null)));
            error(ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json"), e.getMessage());
            return;
        }
        List<DeadLetterLog.Entry> dead = new ArrayList<>(batch.rejections().size());
        for (Rejection r : batch.rejections()) {
            metrics.rejected(EventSource.WEBHOOK, r.reason(), 1);
            dead.add(new DeadLetterLog.Entry(EventSource.WEBHOOK, r.reason(), r.message(), body, r.rawStart(), r.rawEnd(), true, null));
        }
        CompletableFuture<ApplyResult> applied = batch.events().isEmpty()
                ? CompletableFuture.completedFuture(new ApplyResult(0, 0, 0, List.of()))
                : writer.submit(batch.events(), EventSource.WEBHOOK, null);
        CompletableFuture<Void> lettered = deadLetters.append(dead);
        Future.fromCompletionStage(applied.thenCombine(lettered, (a, v) -> a), ctx.vertx().getOrCreateContext())
                .onComplete(ar -> {
                    if (ar.failed()) {
                        Throwable cause = ar.cause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                ? c.getCause() : ar.cause();
                        boolean overloaded = cause instanceof StateWriter.OverloadedException;
                        metrics.rejected(EventSource.WEBHOOK, RejectReason.OVERLOADED, batch.events().size());
                        ctx.response().setStatusCode(503).putHeader("Retry-After", "10").putHeader("Content-Type", "application/json");
                        error(ctx.response(), overloaded ? "the exporter is overloaded; retry later"
                                : "the state store is unavailable; retry later");
                        return;
                    }
                    respond(ctx, batch, ar.result(), body);
                });
    }

    private void respond(RoutingContext ctx, ParsedBatch batch, ApplyResult result, byte[] body) {
        JsonArray errors = new JsonArray();
        for (Rejection r : batch.rejections()) {
            if (errors.size() < MAX_ERRORS_IN_RESPONSE) {
                errors.add(new JsonObject().put("reason", r.reason().label()).put("message", r.message()));
            }
        }
        List<DeadLetterLog.Entry> lateRejects = new ArrayList<>();
        for (ConnectionEvent e : result.tooManyHubs()) {
            metrics.rejected(EventSource.WEBHOOK, RejectReason.TOO_MANY_HUBS, 1);
            String msg = "hub " + e.hub() + " exceeds state.maxHubs; device " + e.deviceLabel() + " not applied";
            lateRejects.add(new DeadLetterLog.Entry(EventSource.WEBHOOK, RejectReason.TOO_MANY_HUBS, msg, body, 0, 0, false, null));
            if (errors.size() < MAX_ERRORS_IN_RESPONSE) {
                errors.add(new JsonObject().put("reason", RejectReason.TOO_MANY_HUBS.label()).put("message", msg));
            }
        }
        deadLetters.append(lateRejects);
        int rejected = batch.rejections().size() + result.tooManyHubs().size();
        var response = ctx.response().putHeader("Content-Type", "application/json");
        if (batch.validationCode() != null && batch.events().isEmpty() && rejected == 0) {
            response.setStatusCode(200).end(new JsonObject().put("validationResponse", batch.validationCode()).encode());
            return;
        }
        JsonObject out = new JsonObject()
                .put("received", batch.total())
                .put("applied", result.applied())
                .put("duplicates", result.duplicates())
                .put("outOfOrder", result.outOfOrder())
                .put("skipped", batch.skipped())
                .put("rejected", rejected);
        if (batch.validationCode() != null) {
            out.put("validationResponse", batch.validationCode());
        }
        if (!errors.isEmpty()) {
            out.put("errors", errors);
        }
        boolean nothingUsable = rejected > 0 && batch.events().isEmpty() && batch.skipped() == 0 && batch.validationCode() == null;
        if (nothingUsable) {
            String first = errors.getJsonObject(0).getString("message");
            out.put("error", rejected == 1 ? first : "none of the " + rejected + " events could be used; first: " + first);
        }
        response.setStatusCode(nothingUsable ? 400 : 200).end(out.encode());
    }

    static void error(io.vertx.core.http.HttpServerResponse response, String message) {
        response.end(new JsonObject().put("error", message).encode());
    }

    /** For the landing page. */
    public static String describe(WebhookAuth auth) {
        return PATH + (auth.enabled() ? " (secret required)" : " (open: no webhook.secret configured)");
    }

}
