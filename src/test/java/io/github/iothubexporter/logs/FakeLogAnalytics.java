package io.github.iothubexporter.logs;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A local HTTPS server that speaks the Log Analytics query REST API the way the service does
 * (shared/reference/iothub-facts.md §8): {@code POST /v1/workspaces/{id}/query} with a bearer token and
 * {@code Prefer: wait=N}, answered with {@code tables/columns/rows}, {@code PartialError}, OneAPI errors, 429 with
 * {@code Retry-After}, 5xx, slow answers and server timeouts. It evaluates the poller's two query shapes over an
 * in-memory AzureDiagnostics: rows have an ingestion time and a moment they become visible to queries (possibly
 * later than their ingestion time, as in the real service); ties in ingestion time come back in random order.
 */
public final class FakeLogAnalytics implements AutoCloseable {
    /** One AzureDiagnostics Connections row. */
    public record Row(long ingestTicks, long visibleAtMillis, String timeGenerated, String resourceId, String operation,
                      String level, String resultType, String resultDescription, String properties) {
        String hub() {
            return ConnectionLogParser.hubFromResourceId(resourceId).toUpperCase(Locale.ROOT);
        }

        long timeGeneratedTicks() {
            return Ticks.parse(timeGenerated);
        }
    }

    /** What the next request gets instead of a normal answer. */
    public sealed interface Fault {
    }

    /** 429 with this Retry-After header value (null: no header). */
    public record Throttle(String retryAfter) implements Fault {
    }

    /** An error status with a OneAPI error body. */
    public record Status(int status, String code) implements Fault {
    }

    /** 200 with half the rows and {@code error.code = PartialError} (truncation). */
    public record Partial() implements Fault {
    }

    /** The query takes this long; past the request's {@code Prefer: wait} the service gives up with 504. */
    public record Slow(long millis) implements Fault {
    }

    /** No answer at all: the client's own timeout has to end the request. */
    public record Hang() implements Fault {
    }

    /** One request as received. */
    public record Request(long atMillis, String kind, String query, String prefer, String authorization, int status, int rows) {
    }

    private static final Pattern WINDOW = Pattern.compile(
            "IngestionTime >= datetime\\(([^)]+)\\) and IngestionTime < datetime\\(([^)]+)\\)");
    private static final Pattern TIME_GENERATED = Pattern.compile("TimeGenerated >= datetime\\(([^)]+)\\)");
    private static final Pattern REPAIR = Pattern.compile(
            "IngestionTime >= datetime\\(([^)]+)\\) or bin\\(IngestionTime, 1s\\) in \\(((?:datetime\\([^)]+\\)(?:, )?)+)\\)");
    private static final Pattern DATETIME = Pattern.compile("datetime\\(([^)]+)\\)");
    private static final Pattern HUBS = Pattern.compile("_ResourceId endswith \"/iothubs/([^\"]*)\"");
    private static final Pattern TOP = Pattern.compile("\\| top (\\d+) by IngestionTime asc$");
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Row> rows = new ArrayList<>();
    private final Map<Row, Long> tiebreak = new java.util.IdentityHashMap<>();
    private final Random random = new Random(7);
    private final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
    public final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Requests received, answered or not yet ({@link #requests} lists them once answered). */
    public final java.util.concurrent.atomic.AtomicInteger arrivals = new java.util.concurrent.atomic.AtomicInteger();
    private final LongSupplier nowMillis;
    private final String workspace;
    private volatile String token;

    public FakeLogAnalytics(String workspace, String token, LongSupplier nowMillis) throws Exception {
        this.workspace = workspace;
        this.token = token;
        this.nowMillis = nowMillis;
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(TestTls.get().serverOptions())
                .setHost("127.0.0.1").setPort(0));
        server.requestHandler(req -> req.body().onSuccess(body -> handle(req, body.toString())));
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The endpoint to configure: the SDK appends {@code /workspaces/{id}/query}. */
    public String endpoint() {
        return "https://127.0.0.1:" + server.actualPort() + "/v1";
    }

    public void token(String token) {
        this.token = token;
    }

    public synchronized void add(Row row) {
        rows.add(row);
        tiebreak.put(row, random.nextLong());
    }

    public synchronized void addAll(List<Row> more) {
        more.forEach(this::add);
    }

    public synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    public void fault(Fault f) {
        faults.add(f);
    }

    public void clearFaults() {
        faults.clear();
    }

    public List<Request> requests(String kind) {
        return requests.stream().filter(r -> r.kind().equals(kind)).collect(Collectors.toList());
    }

    private void handle(HttpServerRequest req, String body) {
        arrivals.incrementAndGet();
        long at = System.currentTimeMillis();
        String query;
        try {
            query = new JsonObject(body).getString("query", "");
        } catch (RuntimeException e) {
            query = "";
        }
        String kind = query.contains("| summarize") ? "count" : query.contains("| top ") ? "fetch" : "other";
        String prefer = req.getHeader("Prefer");
        String auth = req.getHeader("Authorization");
        if (!req.path().equals("/v1/workspaces/" + workspace + "/query") || req.method() != io.vertx.core.http.HttpMethod.POST) {
            answer(req, at, kind, query, prefer, auth, 404, error("PathNotFoundError", "no such workspace or path"), 0);
            return;
        }
        if (auth == null || !auth.equals("Bearer " + token)) {
            answer(req, at, kind, query, prefer, auth, 401, error("AuthenticationFailed", "bad token"), 0);
            return;
        }
        Fault fault = faults.poll();
        if (fault instanceof Hang) {
            requests.add(new Request(at, kind, query, prefer, auth, 0, 0));
            return; // never answered
        }
        if (fault instanceof Throttle t) {
            if (t.retryAfter() != null) {
                req.response().putHeader("Retry-After", t.retryAfter());
            }
            answer(req, at, kind, query, prefer, auth, 429, error("ThrottledError", "too many requests"), 0);
            return;
        }
        if (fault instanceof Status s) {
            answer(req, at, kind, query, prefer, auth, s.status(), error(s.code(), "injected " + s.status()), 0);
            return;
        }
        long waitMillis = parseWait(prefer) * 1000L;
        if (fault instanceof Slow slow) {
            String q = query;
            if (slow.millis() > waitMillis) {
                vertx.setTimer(Math.max(1, waitMillis), t -> answer(req, at, kind, q, prefer, auth, 504,
                        error("GatewayTimeout", "the query exceeded the allowed time"), 0));
            } else {
                vertx.setTimer(Math.max(1, slow.millis()), t -> evaluate(req, at, kind, q, prefer, auth, false));
            }
            return;
        }
        evaluate(req, at, kind, query, prefer, auth, fault instanceof Partial);
    }

    private static long parseWait(String prefer) {
        if (prefer == null) {
            return 180;
        }
        Matcher m = Pattern.compile("wait=(\\d+)").matcher(prefer);
        return m.find() ? Long.parseLong(m.group(1)) : 180;
    }

    private void evaluate(HttpServerRequest req, long at, String kind, String query, String prefer, String auth, boolean partial) {
        Matcher w = WINDOW.matcher(query);
        Matcher tg = TIME_GENERATED.matcher(query);
        if (!w.find() || !tg.find() || !query.startsWith("AzureDiagnostics\n")
                || !query.contains("Category == \"Connections\"") || !query.contains("ingestion_time()")) {
            answer(req, at, kind, query, prefer, auth, 400, error("BadArgumentError", "the fake does not understand this query"), 0);
            return;
        }
        long lo = Ticks.parse(w.group(1));
        long hi = Ticks.parse(w.group(2));
        long tgLo = Ticks.parse(tg.group(1));
        Set<String> hubs = null;
        Matcher h = HUBS.matcher(query);
        while (h.find()) {
            if (hubs == null) {
                hubs = new java.util.HashSet<>();
            }
            hubs.add(h.group(1).toUpperCase(Locale.ROOT));
        }
        long fresh = Long.MIN_VALUE;
        Set<Long> repair = null;
        Matcher r = REPAIR.matcher(query);
        if (r.find()) {
            fresh = Ticks.parse(r.group(1));
            repair = DATETIME.matcher(r.group(2)).results().map(x -> Ticks.parse(x.group(1))).collect(Collectors.toSet());
        }
        long now = nowMillis.getAsLong();
        List<Row> selected = new ArrayList<>();
        synchronized (this) {
            for (Row row : rows) {
                if (row.visibleAtMillis() > now || row.ingestTicks() < lo || row.ingestTicks() >= hi
                        || row.timeGeneratedTicks() < tgLo || (hubs != null && !hubs.contains(row.hub()))) {
                    continue;
                }
                if (repair != null && row.ingestTicks() < fresh && !repair.contains(Ticks.floorSecond(row.ingestTicks()))) {
                    continue;
                }
                selected.add(row);
            }
            selected.sort(Comparator.comparingLong(Row::ingestTicks).thenComparingLong(tiebreak::get));
        }
        JsonObject table = new JsonObject().put("name", "PrimaryResult");
        JsonArray out = new JsonArray();
        if (kind.equals("count")) {
            table.put("columns", new JsonArray()
                    .add(new JsonObject().put("name", "Second").put("type", "datetime"))
                    .add(new JsonObject().put("name", "Records").put("type", "long")));
            TreeMap<Long, Long> bySecond = new TreeMap<>();
            selected.forEach(x -> bySecond.merge(Ticks.floorSecond(x.ingestTicks()), 1L, Long::sum));
            bySecond.forEach((s, n) -> out.add(new JsonArray().add(format(s)).add(n)));
        } else if (kind.equals("fetch")) {
            Matcher top = TOP.matcher(query);
            if (!top.find()) {
                answer(req, at, kind, query, prefer, auth, 400, error("BadArgumentError", "no top"), 0);
                return;
            }
            int take = Integer.parseInt(top.group(1));
            table.put("columns", new JsonArray()
                    .add(col("IngestionTime", "datetime")).add(col("TimeGenerated", "datetime")).add(col("_ResourceId", "string"))
                    .add(col("OperationName", "string")).add(col("Level", "string")).add(col("ResultType", "string"))
                    .add(col("ResultDescription", "string")).add(col("properties_s", "string")));
            for (Row x : selected.subList(0, Math.min(take, selected.size()))) {
                out.add(new JsonArray().add(format(x.ingestTicks())).add(x.timeGenerated()).add(x.resourceId().toLowerCase(Locale.ROOT))
                        .add(x.operation()).add(x.level()).add(x.resultType()).add(x.resultDescription()).add(x.properties()));
            }
        } else {
            answer(req, at, kind, query, prefer, auth, 400, error("BadArgumentError", "unknown query shape"), 0);
            return;
        }
        JsonArray returned = out;
        JsonObject answer = new JsonObject();
        if (partial) {
            returned = new JsonArray(out.getList().subList(0, out.size() / 2));
            answer.put("error", new JsonObject().put("code", "PartialError").put("message", "There were some errors when processing your query.")
                    .put("details", new JsonArray().add(new JsonObject().put("code", "EngineError")
                            .put("message", "Query result set has exceeded the internal record count limit"))));
        }
        table.put("rows", returned);
        answer.put("tables", new JsonArray().add(table));
        answer(req, at, kind, query, prefer, auth, 200, answer, returned.size());
    }

    private static JsonObject col(String name, String type) {
        return new JsonObject().put("name", name).put("type", type);
    }

    private static JsonObject error(String code, String message) {
        return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)
                .put("innererror", new JsonObject().put("code", code).put("message", message)));
    }

    private void answer(HttpServerRequest req, long at, String kind, String query, String prefer, String auth, int status,
                        JsonObject body, int rowCount) {
        requests.add(new Request(at, kind, query, prefer, auth, status, rowCount));
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
    }

    public static String format(long ticks) {
        long seconds = Math.floorDiv(ticks, Ticks.PER_SECOND);
        long rest = Math.floorMod(ticks, Ticks.PER_SECOND);
        return FORMAT.format(Instant.ofEpochSecond(seconds, rest * 100));
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
