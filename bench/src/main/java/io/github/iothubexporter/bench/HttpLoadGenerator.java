package io.github.iothubexporter.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * HTTP intake load generator, run as its own process against a running exporter: {@code --connections} HTTP/1.1
 * keep-alive connections each post one Event Grid schema batch of {@code --batch} events at a time to
 * {@code /api/eventgrid} (closed loop: the next request leaves when the answer arrived), for {@code --warmup}
 * then {@code --duration} seconds. Each batch covers the next identities of a fleet of {@code --identities}
 * over 2 hubs; after every pass over the fleet the sequence-number round increases and the event types flip, so
 * every event really applies (the generator checks each answer says so). Prints events/s, request latency
 * percentiles, and what the exporter's own /metrics say (applied events, CPU) over the measured window.
 *
 * <p>Only loopback targets are accepted.
 */
public final class HttpLoadGenerator {
    private final URI base;
    private final String secret;
    private final int connections;
    private final int batch;
    private final long identities;
    private final int hubs;

    private Vertx vertx;
    private HttpClientAgent client;
    private HttpClientAgent admin;  // /readyz and /metrics, off the load connections
    private long nextBatch;
    private volatile boolean running = true;
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    // written on the client's event loop only
    private long okRequests;
    private long notAllApplied;
    private long overloaded;
    private long failed;
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private String firstProblem;

    HttpLoadGenerator(URI base, String secret, int connections, int batch, long identities, int hubs) {
        this.base = base;
        this.secret = secret;
        this.connections = connections;
        this.batch = batch;
        this.identities = identities;
        this.hubs = hubs;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("url", "http://127.0.0.1:9786", "secret", "", "connections", "16",
                "batch", "100", "identities", "1000000", "hubs", "2", "warmup", "10", "duration", "30", "ready-timeout", "120"));
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !a.containsKey(args[i].substring(2))) {
                System.err.println("usage: HttpLoadGenerator [--url http://127.0.0.1:PORT] [--secret S] [--connections N] "
                        + "[--batch 100] [--identities 1000000] [--hubs 2] [--warmup S] [--duration S] [--ready-timeout S]");
                System.exit(2);
            }
            a.put(args[i].substring(2), args[++i]);
        }
        URI base = URI.create(a.get("url"));
        String host = base.getHost();
        if (!("127.0.0.1".equals(host) || "localhost".equals(host) || "[::1]".equals(host))) {
            System.err.println("refusing to send load to " + host + ": only loopback targets are allowed");
            System.exit(2);
        }
        HttpLoadGenerator g = new HttpLoadGenerator(base, a.get("secret"), Integer.parseInt(a.get("connections")),
                Integer.parseInt(a.get("batch")), Long.parseLong(a.get("identities")), Integer.parseInt(a.get("hubs")));
        int code = g.run(Integer.parseInt(a.get("warmup")), Integer.parseInt(a.get("duration")),
                Integer.parseInt(a.get("ready-timeout")));
        System.exit(code);
    }

    int run(int warmupSeconds, int durationSeconds, int readyTimeoutSeconds) throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false)
                        .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
        admin = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                .setDefaultHost(base.getHost()).setDefaultPort(base.getPort()), new PoolOptions().setHttp1MaxSize(1));
        try {
            waitReady(readyTimeoutSeconds);
            System.out.printf("target %s, %d connections, %d events per request, %d identities over %d hubs, "
                    + "warm-up %d s, measured %d s%n", base, connections, batch, identities, hubs, warmupSeconds, durationSeconds);
            vertx.runOnContext(v -> {
                for (int c = 0; c < connections; c++) {
                    new Loop().send();
                }
            });
            Thread.sleep(warmupSeconds * 1000L);
            Scrape s0 = scrape();
            long cpu0 = ownCpuNanos();
            CompletableFuture<long[]> startCounts = onLoop(() -> {
                windowStart = System.nanoTime();
                return new long[]{okRequests, notAllApplied, overloaded, failed};
            });
            long[] c0 = startCounts.get();
            Thread.sleep(durationSeconds * 1000L);
            long[] c1 = onLoop(() -> {
                windowEnd = System.nanoTime();
                return new long[]{okRequests, notAllApplied, overloaded, failed};
            }).get();
            long cpu1 = ownCpuNanos();
            running = false;
            Scrape s1 = scrape();
            double seconds = (windowEnd - windowStart) / 1e9;
            long[] lat = onLoop(() -> Arrays.copyOf(latencies, latencyCount)).get();
            Arrays.sort(lat);
            long requests = c1[0] - c0[0];
            double eventsPerSecond = requests * batch / seconds;
            System.out.printf("requests ok=%d (not fully applied: %d), 503 overloaded=%d, failed=%d in %.1f s%n",
                    requests, c1[1] - c0[1], c1[2] - c0[2], c1[3] - c0[3], seconds);
            System.out.printf("client: %.0f events/s (%.0f requests/s)%n", eventsPerSecond, requests / seconds);
            System.out.printf("latency ms: p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f (%d samples)%n",
                    pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99), pct(lat, 0.999),
                    lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6, lat.length);
            double scrapeSeconds = (s1.nanoTime - s0.nanoTime) / 1e9;
            double appliedPerSecond = (s1.applied - s0.applied) / scrapeSeconds;
            double exporterCores = (s1.cpuSeconds - s0.cpuSeconds) / scrapeSeconds;
            System.out.printf("exporter /metrics: %.0f events applied/s (webhook), %.2f cores used (process_cpu_seconds_total), "
                    + "so %.0f events per exporter CPU-second; tracked=%d%n", appliedPerSecond, exporterCores,
                    appliedPerSecond / exporterCores, (long) s1.tracked);
            System.out.printf("generator: %.2f cores used%n", (cpu1 - cpu0) / 1e9 / seconds);
            if (firstProblem != null) {
                System.out.println("first problem: " + firstProblem);
            }
            System.out.printf("RESULT events_per_s=%.0f p50_ms=%.2f p99_ms=%.2f exporter_cores=%.2f events_per_exporter_cpu_s=%.0f%n",
                    eventsPerSecond, pct(lat, 0.50), pct(lat, 0.99), exporterCores, appliedPerSecond / exporterCores);
            return (c1[1] - c0[1]) + (c1[3] - c0[3]) == 0 && requests > 0 ? 0 : 1;
        } finally {
            running = false;
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            admin.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** One connection's closed loop: a fresh batch, post, check, repeat. */
    private final class Loop {
        final EventGridBodies gen = new EventGridBodies(hubs);
        final RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setURI(base.getRawPath().isEmpty() || "/".equals(base.getRawPath()) ? "/api/eventgrid" : base.getRawPath())
                .putHeader("Content-Type", "application/json")
                .putHeader("aeg-event-type", "Notification");

        Loop() {
            if (!secret.isEmpty()) {
                options.putHeader("X-Webhook-Key", secret);
            }
        }

        void send() {
            if (!running) {
                return;
            }
            long first = nextBatch++ * batch;
            long round = first / identities + 1;
            int len = gen.batch(first % identities, batch, identities, round, null);
            Buffer body = Buffer.buffer(len).appendBytes(gen.buffer(), 0, len);
            long t0 = System.nanoTime();
            client.request(options)
                    .compose(req -> req.send(body))
                    .compose(resp -> resp.body().map(b -> check(resp, b)))
                    .onComplete(ar -> {
                        long t1 = System.nanoTime();
                        if (ar.succeeded()) {
                            int outcome = ar.result();
                            if (outcome == 200) {
                                okRequests++;
                            } else if (outcome == 503) {
                                overloaded++;
                            } else if (outcome == -1) {
                                okRequests++;
                                notAllApplied++;
                            } else {
                                failed++;
                            }
                        } else {
                            failed++;
                            problem(ar.cause().toString());
                        }
                        if (t0 >= windowStart && t1 <= windowEnd) {
                            record(t1 - t0);
                        }
                        send();
                    });
        }
    }

    /** 200 = all applied, -1 = 200 but not all applied, otherwise the status. */
    private int check(HttpClientResponse resp, Buffer b) {
        if (resp.statusCode() != 200) {
            problem("HTTP " + resp.statusCode() + ": " + b.toString());
            return resp.statusCode();
        }
        String s = b.toString();
        if (!s.contains("\"applied\":" + batch + ",")) {
            problem("not all applied: " + s);
            return -1;
        }
        return 200;
    }

    private void problem(String p) {
        if (firstProblem == null) {
            firstProblem = p;
        }
    }

    private void record(long nanos) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = nanos;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(i, 0)] / 1e6;
    }

    private <T> CompletableFuture<T> onLoop(java.util.function.Supplier<T> fn) {
        CompletableFuture<T> f = new CompletableFuture<>();
        vertx.runOnContext(v -> f.complete(fn.get()));
        return f;
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void waitReady(int timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            try {
                int status = get("/readyz").map(r -> r.statusCode()).toCompletionStage().toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
                if (status == 200) {
                    return;
                }
            } catch (Exception e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("exporter at " + base + " not ready within " + timeoutSeconds + " s");
            }
            Thread.sleep(250);
        }
    }

    private Future<HttpClientResponse> get(String path) {
        return admin.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path))
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp)));
    }

    /** The exporter's own counters at one moment. */
    private record Scrape(long nanoTime, double applied, double cpuSeconds, double tracked) {
    }

    private Scrape scrape() throws Exception {
        String text = admin.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/metrics"))
                .compose(req -> req.send().compose(HttpClientResponse::body))
                .map(Buffer::toString)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long now = System.nanoTime();
        double applied = 0, cpu = 0, tracked = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("iothub_connection_events_total{") && line.contains("source=\"webhook\"")) {
                applied += value(line);
            } else if (line.startsWith("process_cpu_seconds_total")) {
                cpu = value(line);
            } else if (line.startsWith("iothub_devices_tracked{")) {
                tracked += value(line);
            }
        }
        return new Scrape(now, applied, cpu, tracked);
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
