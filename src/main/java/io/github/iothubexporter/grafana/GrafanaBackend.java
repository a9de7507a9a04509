package io.github.iothubexporter.grafana;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.iothubexporter.classify.DisconnectKind;
import io.github.iothubexporter.classify.SdkFamily;
import io.github.iothubexporter.ingest.JsonMessages;
import io.github.iothubexporter.model.EventTimes;
import io.github.iothubexporter.state.StateWriter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * The HTTP API of the Grafana {@code simpod-json-datasource} plugin under {@code /grafana}
 * (shared/contracts/simpod-json-datasource-openapi.yaml): {@code GET /grafana} (the data source's health check) and
 * {@code POST /grafana/metrics}, {@code /metric-payload-options}, {@code /query} (panels and annotations),
 * {@code /variable}, {@code /tag-keys} and {@code /tag-values}. A bearer token is required when {@code grafana.token}
 * is set; bodies are bounded by {@code grafana.maxBodyBytes} (413); malformed JSON gets 400 naming the problem.
 * Requests are read leniently (unknown fields ignored). Handlers never block an event loop: list work runs on worker
 * threads, device reads on the state writer's thread, and answers come back on the request's context.
 */
public final class GrafanaBackend {
    private static final Logger LOG = LoggerFactory.getLogger(GrafanaBackend.class);
    public static final String BASE = "/grafana";
    static final List<String> ENDPOINTS = List.of("/metrics", "/metric-payload-options", "/query", "/variable", "/tag-keys",
            "/tag-values");
    static final int MAX_TARGETS = 100;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final GrafanaSources sources;
    private final BearerAuth auth;
    private final int maxBodyBytes;
    private final Targets targets;
    private final Variables variables;
    private final Executor worker;

    public GrafanaBackend(Vertx vertx, GrafanaSources sources, String token, int maxBodyBytes) {
        this.sources = sources;
        this.auth = new BearerAuth(token);
        this.maxBodyBytes = maxBodyBytes;
        this.worker = command -> vertx.executeBlocking(() -> {
            command.run();
            return null;
        }, false);
        DeviceSearch search = new DeviceSearch(sources.writer());
        this.targets = new Targets(sources, worker);
        this.variables = new Variables(sources, search);
    }

    /** For the landing page. */
    public String describe() {
        return BASE + (auth.enabled() ? " (bearer token required)" : " (open: no grafana.token configured)");
    }

    public void mount(Router router) {
        router.route().pathRegex(BASE + "(/.*)?").handler(this::authenticate);
        router.get(BASE).handler(this::health);
        router.get(BASE + "/").handler(this::health);
        post(router, "/metrics", this::metrics);
        post(router, "/metric-payload-options", this::payloadOptions);
        post(router, "/query", this::query);
        post(router, "/variable", this::variable);
        post(router, "/tag-keys", this::tagKeys);
        post(router, "/tag-values", this::tagValues);
        router.route().pathRegex(BASE + "(/.*)?").handler(this::notServed);
    }

    private void post(Router router, String path, Handler<RoutingContext> handler) {
        router.post(BASE + path).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(ctx -> {
                    try {
                        handler.handle(ctx);
                    } catch (BadRequest e) {
                        error(ctx, 400, e.getMessage());
                    }
                })
                .failureHandler(this::failure);
    }

    private void authenticate(RoutingContext ctx) {
        if (auth.allows(ctx.request().getHeader("Authorization"))) {
            ctx.next();
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"iothub-exporter\"");
        error(ctx, 401, "missing or wrong bearer token: set the data source's custom header Authorization to "
                + "'Bearer <grafana.token>'");
    }

    private void notServed(RoutingContext ctx) {
        String path = ctx.normalizedPath().substring(BASE.length());
        if (path.isEmpty() || path.equals("/")) {
            ctx.response().putHeader("Allow", "GET");
            error(ctx, 405, "method " + ctx.request().method() + " is not allowed on " + BASE + "; use GET (the health check)");
        } else if (ENDPOINTS.contains(path)) {
            ctx.response().putHeader("Allow", "POST");
            error(ctx, 405, "method " + ctx.request().method() + " is not allowed on " + BASE + path + "; use POST");
        } else {
            error(ctx, 404, "no such endpoint " + ctx.normalizedPath() + "; served: GET " + BASE + ", POST " + BASE
                    + String.join(", POST " + BASE, ENDPOINTS));
        }
    }

    private void failure(RoutingContext ctx) {
        if (ctx.statusCode() == 413) {
            error(ctx, 413, "request body exceeds grafana.maxBodyBytes (" + maxBodyBytes + " bytes)");
        } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            error(ctx, ctx.statusCode(), "bad request");
        } else {
            LOG.warn("Grafana request {} failed", ctx.normalizedPath(), ctx.failure());
            error(ctx, 500, "internal error");
        }
    }

    // ---- endpoints -------------------------------------------------------------------------------------------------

    private void health(RoutingContext ctx) {
        StateWriter w = sources.writer();
        ok(ctx, new JsonObject().put("status", "ok").put("state", w.ready() ? "ready" : w.failure() != null ? "failed" : "restoring")
                .put("targets", new JsonArray(List.copyOf(targets.all().keySet()))));
    }

    private void metrics(RoutingContext ctx) {
        body(ctx, true); // validates; the answer does not depend on the current metric
        JsonArray out = new JsonArray();
        for (Targets.Target t : targets.all().values()) {
            out.add(new JsonObject().put("label", t.label()).put("value", t.name()).put("payloads", t.payloads().copy()));
        }
        ok(ctx, out);
    }

    private void payloadOptions(RoutingContext ctx) {
        JsonNode body = body(ctx, false);
        String name = requiredString(body, "name");
        requiredString(body, "metric");
        if (!body.path("payload").isObject()) {
            throw new BadRequest("payload is " + (body.has("payload") ? Payload.kind(body.get("payload")) : "missing")
                    + "; expected the current payload as an object");
        }
        JsonArray out = new JsonArray();
        for (String[] o : options(name)) {
            out.add(new JsonObject().put("label", o[0]).put("value", o[1]));
        }
        ok(ctx, out);
    }

    /** [label, value] pairs for a payload field without inline options. */
    private List<String[]> options(String name) {
        List<String[]> out = new ArrayList<>();
        switch (name) {
            case "hub" -> {
                for (String hub : sources.writer().store().stats().hubs()) {
                    out.add(new String[]{hub, hub});
                }
            }
            case "kind" -> {
                for (DisconnectKind k : DisconnectKind.values()) {
                    out.add(new String[]{k.label(), k.label()});
                }
            }
            case "sdk" -> {
                for (SdkFamily f : SdkFamily.values()) {
                    out.add(new String[]{f.label(), f.label()});
                }
            }
            case "critical" -> {
                out.add(new String[]{"all devices", "false"});
                out.add(new String[]{"critical devices only", "true"});
            }
            case "limit" -> {
                for (String n : List.of("10", "100", "1000")) {
                    out.add(new String[]{n, n});
                }
            }
            default -> {
            }
        }
        return out;
    }

    private void query(RoutingContext ctx) {
        JsonNode body = body(ctx, false);
        long now = sources.clock().millis();
        JsonNode range = body.path("range");
        long from = time(range, "from", 0);
        long to = time(range, "to", Long.MAX_VALUE); // Grafana always sends a range; without one, nothing is cut off
        if (from > to) {
            throw new BadRequest("range.from (" + EventTimes.format(from) + ") is after range.to (" + EventTimes.format(to) + ")");
        }
        AdHocFilters filters = AdHocFilters.parse(body);
        JsonNode list = body.get("targets");
        if (list != null && !list.isNull() && !list.isArray()) {
            throw new BadRequest("targets must be an array, got " + Payload.kind(list));
        }
        List<Targets.Query> queries = new ArrayList<>();
        if (list != null) {
            for (JsonNode t : list) {
                if (!t.isObject()) {
                    throw new BadRequest("targets must hold objects, got " + Payload.kind(t));
                }
                if (t.path("hide").asBoolean(false) || !t.hasNonNull("target") || t.get("target").asText().isBlank()) {
                    continue; // what the plugin itself drops
                }
                String name = t.get("target").asText().trim();
                if (targets.get(name) == null) {
                    throw new BadRequest("unknown target '" + name + "'; served: " + String.join(", ", targets.all().keySet()));
                }
                queries.add(new Targets.Query(t.path("refId").asText(""), name, new Payload(payload(t.get("payload"))), from, to,
                        filters, now));
            }
        }
        if (queries.size() > MAX_TARGETS) {
            throw new BadRequest(queries.size() + " targets in one request; at most " + MAX_TARGETS);
        }
        List<CompletableFuture<List<JsonObject>>> results = new ArrayList<>(queries.size());
        for (Targets.Query q : queries) {
            results.add(targets.get(q.target()).run().apply(q)); // BadRequest from a synchronous check propagates to 400
        }
        // joined and encoded on a worker: the last result may complete on the state writer's thread
        CompletableFuture<String> all = CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).thenApplyAsync(v -> {
            JsonArray out = new JsonArray();
            for (CompletableFuture<List<JsonObject>> r : results) {
                r.join().forEach(out::add);
            }
            return out.encode();
        }, worker);
        answer(ctx, all);
    }

    /** The payload of a target: an object, or JSON text (older code-mode saves); anything else counts as empty. */
    private static JsonNode payload(JsonNode p) {
        if (p != null && p.isTextual() && !p.asText().isBlank()) {
            try {
                return MAPPER.readTree(p.asText());
            } catch (JsonProcessingException e) {
                return null; // the plugin does the same with text it cannot parse
            }
        }
        return p;
    }

    private void variable(RoutingContext ctx) {
        JsonNode body = body(ctx, false);
        answer(ctx, variables.values(body).thenApply(values -> {
            JsonArray out = new JsonArray();
            for (String v : values) {
                // __text/__value are what the plugin reads; text/value satisfy the contract's schema as written
                out.add(new JsonObject().put("__text", v).put("__value", v).put("text", v).put("value", v));
            }
            return out;
        }));
    }

    private void tagKeys(RoutingContext ctx) {
        body(ctx, true);
        JsonArray out = new JsonArray();
        for (String k : AdHocFilters.KEYS) {
            out.add(new JsonObject().put("type", "string").put("text", k));
        }
        ok(ctx, out);
    }

    private void tagValues(RoutingContext ctx) {
        JsonNode body = body(ctx, false);
        String key = requiredString(body, "key");
        JsonArray out = new JsonArray();
        if (AdHocFilters.KEYS.contains(key)) {
            for (String[] o : options(key)) {
                out.add(new JsonObject().put("text", o[1]));
            }
        }
        ok(ctx, out);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** The request body as a JSON object; an empty body counts as {} where the contract has no required body. */
    private static JsonNode body(RoutingContext ctx, boolean emptyIsObject) {
        Buffer b = ctx.body().buffer();
        JsonNode n = null;
        if (b != null && b.length() > 0) {
            try {
                n = MAPPER.readTree(b.getBytes());
            } catch (JsonProcessingException e) {
                var loc = e.getLocation();
                throw new BadRequest("malformed JSON" + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr())
                        + ": " + JsonMessages.firstLine(e.getOriginalMessage()));
            } catch (java.io.IOException e) {
                throw new BadRequest("unreadable body: " + e.getMessage());
            }
        }
        if (n == null || n.isMissingNode()) {
            if (emptyIsObject) {
                return MAPPER.createObjectNode();
            }
            throw new BadRequest("the request body is empty; expected a JSON object");
        }
        if (!n.isObject()) {
            throw new BadRequest("expected a JSON object, got " + Payload.kind(n));
        }
        return n;
    }

    private static String requiredString(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw new BadRequest(field + " is missing");
        }
        if (!v.isTextual()) {
            throw new BadRequest(field + " must be a string, got " + Payload.kind(v));
        }
        return v.asText();
    }

    /** range.from/to: ISO-8601 (what Grafana sends) or epoch milliseconds. */
    private static long time(JsonNode range, String field, long otherwise) {
        JsonNode v = range.get(field);
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        long t = v.isTextual() ? EventTimes.parseMillis(v.asText()) : EventTimes.INVALID;
        if (t == EventTimes.INVALID) {
            throw new BadRequest("range." + field + " is not an ISO-8601 time such as 2026-01-01T00:00:00.000Z: " + v);
        }
        return t;
    }

    private <T> void answer(RoutingContext ctx, CompletableFuture<T> result) {
        Future.fromCompletionStage(result, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                ok(ctx, ar.result());
                return;
            }
            Throwable cause = ar.cause();
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof BadRequest) {
                error(ctx, 400, cause.getMessage());
            } else if (!sources.writer().ready()) {
                ctx.response().putHeader("Retry-After", "5");
                error(ctx, 503, sources.writer().failure() != null ? "the state store has failed; see the exporter's log"
                        : "the state is being restored; retry shortly");
            } else if (cause instanceof StateWriter.OverloadedException) {
                ctx.response().putHeader("Retry-After", "5");
                error(ctx, 503, "the exporter is overloaded; retry later");
            } else {
                LOG.warn("Grafana request {} failed", ctx.normalizedPath(), cause);
                error(ctx, 500, "internal error: " + cause);
            }
        });
    }

    private static void ok(RoutingContext ctx, Object json) {
        String text = json instanceof String encoded ? encoded : json instanceof JsonArray a ? a.encode() : ((JsonObject) json).encode();
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(text);
    }

    private static void error(RoutingContext ctx, int status, String message) {
        HttpServerResponse r = ctx.response();
        if (r.ended()) {
            return;
        }
        r.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", message).put("message", message).encode());
    }
}
