package io.github.iothubexporter.bench;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import io.github.iothubexporter.logs.LogAnalyticsPoller;
import io.github.iothubexporter.logs.LogMetrics;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.prometheus.client.CollectorRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of one Log Analytics poll at 50,000 Connections records per minute: the overlap check (records per
 * ingestion second over the last 5 minutes), then one minute of raw records in pages of {@code pageRows},
 * through the real SDK (LogsQueryClient, its Netty client, HTTPS) from a local server, parsed, de-duplicated,
 * committed through the state writer (fsync) and counted by {@link LogMetrics}. Each invocation is one poll of a
 * new minute; the server's answers are rendered beforehand, so the time is the client's.
 * <p>
 * {@code main} runs the same polls outside JMH and prints CPU time per poll (process and poller thread).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, batchSize = 1)
@Measurement(iterations = 12, batchSize = 1)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class LogPollBenchmark {
    static final int PER_MINUTE = 50_000;
    static final int MINUTES = 18; // warmup + measurement + first poll, with room
    static final long TICKS_PER_SECOND = 10_000_000L;
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final String WORKSPACE = "5b0f3c2d-7a6e-4d1b-8c9f-2e3d4c5b6a7f";

    /** Rows per query page ({@code loganalytics.maxRows}). */
    @Param({"2000", "5000", "10000", "20000"})
    public int pageRows;

    private Vertx vertx;
    private Server server;
    private StateWriter writer;
    private LogAnalyticsPoller poller;
    private BenchClock clock;
    private Path dir;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        vertx = Vertx.vertx();
        server = new Server(vertx);
        clock = new BenchClock(T0.toEpochMilli());
        dir = Files.createTempDirectory("logpoll-bench");
        writer = new StateWriter(new StateWriter.Options(dir, true, Duration.ofMinutes(5), 64L << 20, 64),
                new StateStore(100, new CriticalDevices(List.of()), 0), clock);
        writer.recover();
        writer.start();
        TokenCredential credential = ctx -> Mono.just(new AccessToken("bench-token", OffsetDateTime.now().plusHours(1)));
        var ssl = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build(); // benchmark only
        var http = new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create().secure(s -> s.sslContext(ssl))).build();
        var client = LogAnalyticsPoller.client("https://127.0.0.1:" + server.port + "/v1", credential, http);
        CollectorRegistry registry = new CollectorRegistry(true);
        LogMetrics metrics = new LogMetrics(registry, 100, 1_000_000);
        poller = new LogAnalyticsPoller(new LogAnalyticsPoller.Settings(WORKSPACE, Duration.ofSeconds(60), Duration.ofMinutes(5),
                Duration.ofSeconds(120), pageRows, Duration.ZERO, List.of(), Duration.ofSeconds(1), Duration.ofMinutes(5),
                Duration.ofMinutes(10)), client, writer, metrics, registry, (reason, n) -> { }, clock);
        check(poller.pollOnce(), 0); // first start: the position is now, nothing to read
    }

    private static void check(LogAnalyticsPoller.PollResult r, int expected) {
        if (!r.ok() || r.counted() != expected) {
            throw new IllegalStateException("poll: " + r);
        }
    }

    @Benchmark
    public LogAnalyticsPoller.PollResult pollOneMinute() {
        clock.advance(60_000);
        LogAnalyticsPoller.PollResult r = poller.pollOnce();
        check(r, PER_MINUTE);
        return r;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        poller.close();
        writer.close();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Outside JMH: wall and CPU time per poll. */
    public static void main(String[] args) throws Exception {
        LogPollBenchmark b = new LogPollBenchmark();
        b.pageRows = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        b.setup();
        var threads = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < MINUTES - 1; i++) {
            long wall = System.nanoTime();
            long cpu = os.getProcessCpuTime();
            long thread = threads.getCurrentThreadCpuTime();
            LogAnalyticsPoller.PollResult r = b.pollOneMinute();
            System.out.printf(Locale.ROOT, "poll %2d: %d pages, %d records, wall %4d ms, process CPU %4d ms, poller thread CPU %4d ms%n",
                    i + 1, r.pages(), r.counted(), (System.nanoTime() - wall) / 1_000_000, (os.getProcessCpuTime() - cpu) / 1_000_000,
                    (threads.getCurrentThreadCpuTime() - thread) / 1_000_000);
        }
        b.tearDown();
    }

    /** The clock the poller reads; the benchmark moves it a minute per poll. */
    static final class BenchClock extends Clock {
        private final AtomicLong millis;

        BenchClock(long start) {
            millis = new AtomicLong(start);
        }

        void advance(long ms) {
            millis.addAndGet(ms);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /**
     * A local Log Analytics query endpoint for the two query shapes of the poller, over pre-rendered rows:
     * {@link #PER_MINUTE} records a minute, evenly spread in ingestion time, for {@link #MINUTES} minutes from T0.
     */
    static final class Server {
        private static final Pattern WINDOW = Pattern.compile(
                "IngestionTime >= datetime\\(([^)]+)\\) and IngestionTime < datetime\\(([^)]+)\\)");
        private static final Pattern TOP = Pattern.compile("\\| top (\\d+) by IngestionTime asc");
        private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'", Locale.ROOT)
                .withZone(ZoneOffset.UTC);
        private static final byte[] FETCH_HEAD = ("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":["
                + "{\"name\":\"IngestionTime\",\"type\":\"datetime\"},{\"name\":\"TimeGenerated\",\"type\":\"datetime\"},"
                + "{\"name\":\"_ResourceId\",\"type\":\"string\"},{\"name\":\"OperationName\",\"type\":\"string\"},"
                + "{\"name\":\"Level\",\"type\":\"string\"},{\"name\":\"ResultType\",\"type\":\"string\"},"
                + "{\"name\":\"ResultDescription\",\"type\":\"string\"},{\"name\":\"properties_s\",\"type\":\"string\"}],\"rows\":[")
                .getBytes(StandardCharsets.UTF_8);
        private static final byte[] TAIL = "]}]}".getBytes(StandardCharsets.UTF_8);

        final long[] ticks;
        final byte[][] rows;
        final int port;

        Server(Vertx vertx) throws Exception {
            int n = PER_MINUTE * MINUTES;
            ticks = new long[n];
            rows = new byte[n][];
            long base = T0.getEpochSecond() * TICKS_PER_SECOND;
            long step = 60 * TICKS_PER_SECOND / PER_MINUTE;
            Random rnd = new Random(1);
            for (int i = 0; i < n; i++) {
                ticks[i] = base + i * step;
                Instant generated = Instant.ofEpochSecond(0, (ticks[i] - (240 + rnd.nextInt(360)) * TICKS_PER_SECOND) * 100);
                ConnectionRecords.Fields f = ConnectionRecords.fields(rnd, i, generated);
                String row = "[" + String.join(",", q(format(ticks[i])), q(FORMAT.format(generated)),
                        q(ConnectionRecords.RESOURCE.toLowerCase(Locale.ROOT)), q(f.operation()), q(f.level()), q(f.resultType()),
                        q(f.resultDescription()), q(f.properties())) + "]";
                rows[i] = row.getBytes(StandardCharsets.UTF_8);
            }
            SelfSignedCertificate cert = SelfSignedCertificate.create("127.0.0.1");
            HttpServer s = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions())
                    .setHost("127.0.0.1").setPort(0));
            s.requestHandler(req -> req.body().onSuccess(body -> {
                String query = new JsonObject(body.toString()).getString("query");
                Matcher w = WINDOW.matcher(query);
                if (!w.find()) {
                    req.response().setStatusCode(400).end("{\"error\":{\"code\":\"BadArgumentError\",\"message\":\"?\"}}");
                    return;
                }
                long lo = parse(w.group(1));
                long hi = parse(w.group(2));
                int from = lowerBound(lo);
                int to = lowerBound(hi);
                Buffer out;
                if (query.contains("| summarize")) {
                    StringBuilder b = new StringBuilder("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"Second\","
                            + "\"type\":\"datetime\"},{\"name\":\"Records\",\"type\":\"long\"}],\"rows\":[");
                    int i = from;
                    boolean first = true;
                    while (i < to) {
                        long second = Math.floorDiv(ticks[i], TICKS_PER_SECOND) * TICKS_PER_SECOND;
                        int j = i;
                        while (j < to && ticks[j] < second + TICKS_PER_SECOND) {
                            j++;
                        }
                        b.append(first ? "" : ",").append("[\"").append(format(second)).append("\",").append(j - i).append(']');
                        first = false;
                        i = j;
                    }
                    out = Buffer.buffer(b.append("]}]}").toString());
                } else {
                    Matcher t = TOP.matcher(query);
                    int take = t.find() ? Integer.parseInt(t.group(1)) : Integer.MAX_VALUE;
                    int end = Math.min(to, from + take);
                    out = Buffer.buffer((end - from) * 600 + 1024).appendBytes(FETCH_HEAD);
                    for (int i = from; i < end; i++) {
                        if (i > from) {
                            out.appendByte((byte) ',');
                        }
                        out.appendBytes(rows[i]);
                    }
                    out.appendBytes(TAIL);
                }
                req.response().putHeader("Content-Type", "application/json; charset=utf-8").end(out);
            }));
            port = s.listen().toCompletionStage().toCompletableFuture().get().actualPort();
        }

        private int lowerBound(long tick) {
            int i = Arrays.binarySearch(ticks, tick);
            if (i < 0) {
                return -i - 1;
            }
            while (i > 0 && ticks[i - 1] == tick) {
                i--;
            }
            return i;
        }

        private static String q(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }

        static String format(long ticks) {
            return FORMAT.format(Instant.ofEpochSecond(Math.floorDiv(ticks, TICKS_PER_SECOND), Math.floorMod(ticks, TICKS_PER_SECOND) * 100));
        }

        static long parse(String s) {
            Instant i = Instant.parse(s);
            return i.getEpochSecond() * TICKS_PER_SECOND + i.getNano() / 100;
        }
    }
}
