package io.github.iothubexporter.app;

import io.github.iothubexporter.TestEvents;
import io.github.iothubexporter.ingest.EventHubsEmulator;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.state.StateStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sustained events/s from the Event Hubs emulator through the real EventProcessorClient into durable state,
 * side by side with the webhook path on the same events. Not part of the test suite (its name does not end in
 * Test); run it on purpose:
 * <pre>mvn -B test -Dtest=EventHubsThroughputBench -Dsurefire.failIfNoSpecifiedTests=false -Dsurefire.argLine=-Xmx3g [-Dbench.events=600000]</pre>
 * Results are printed to target/surefire-reports/io.github.iothubexporter.app.EventHubsThroughputBench-output.txt.
 * The rate is measured from 20 % to 100 % of the events applied, so start-up (partition claims, JIT) is left out.
 */
class EventHubsThroughputBench {
    private static final int EVENTS = Integer.getInteger("bench.events", 600_000);
    private static final int DEVICES = Integer.getInteger("bench.devices", 50_000);
    private static final int PARTITIONS = Integer.getInteger("bench.partitions", 4);
    private static final int WEBHOOK_BATCH = Integer.getInteger("bench.webhookBatch", 100);
    private static final int WEBHOOK_CONCURRENCY = Integer.getInteger("bench.webhookConcurrency", 8);
    private static final String FSYNC = System.getProperty("bench.fsync", "batch");
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    @TempDir
    Path dir;

    /** Event i: device i % DEVICES, its (i / DEVICES + 1)-th state change, alternating connected/disconnected. */
    private static List<String> events() {
        List<String> out = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            long round = i / DEVICES + 1;
            out.add(TestEvents.eventGrid("hub-b", "dev-" + (i % DEVICES), null, round % 2 == 1, round, T0.plusSeconds(round)));
        }
        return out;
    }

    private static long processed(RunningExporter e, EventSource source) {
        StateStats s = e.app().writer().store().stats();
        if (s.hubs().length == 0) {
            return 0;
        }
        return s.applied(0, StateStats.EVENT_CONNECTED, source) + s.applied(0, StateStats.EVENT_DISCONNECTED, source)
                + s.ignored(0, StateStats.IGNORED_DUPLICATE) + s.ignored(0, StateStats.IGNORED_OUT_OF_ORDER);
    }

    /** Events/s between 20 % and 100 % of the events applied. */
    private static double measure(LongSupplier processed) throws InterruptedException {
        long from = EVENTS / 5;
        long tFrom = 0;
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (System.nanoTime() < deadline) {
            long n = processed.getAsLong();
            if (tFrom == 0 && n >= from) {
                tFrom = System.nanoTime();
            }
            if (n >= EVENTS) {
                return (EVENTS - from) / ((System.nanoTime() - tFrom) / 1e9);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("not all events were applied in time");
    }

    @Test
    void eventHubsVersusWebhook() throws Exception {
        List<String> events = events();
        System.out.printf("bench: %d events, %d devices, %d partitions, %d cores, max heap %d MiB, state.fsync=%s%n", EVENTS, DEVICES,
                PARTITIONS, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, FSYNC);

        double eventHubs;
        try (EventHubsEmulator hub = new EventHubsEmulator("bench", PARTITIONS)) {
            for (int i = 0; i < EVENTS; i++) {
                String device = "dev-" + (i % DEVICES);
                hub.appendWithKey(Math.floorMod(device.hashCode(), PARTITIONS), device, events.get(i).getBytes(StandardCharsets.UTF_8));
            }
            Map<String, String> env = EventHubsInputTest.env(hub);
            env.put("IOTHUB_EXPORTER_STATE_FSYNC", FSYNC);
            env.put("IOTHUB_EXPORTER_EVENTHUBS_MAXBATCHSIZE", System.getProperty("bench.maxBatchSize", "500"));
            env.put("IOTHUB_EXPORTER_EVENTHUBS_PREFETCHCOUNT", System.getProperty("bench.prefetch", "1000"));
            try (RunningExporter e = new RunningExporter(dir.resolve("eventhubs"), env)) {
                eventHubs = measure(() -> processed(e, EventSource.EVENTHUBS));
                assertThat(e.app().writer().store().stats().totalTracked()).isEqualTo(Math.min(EVENTS, DEVICES));
            }
        }
        System.out.printf("bench: eventhubs  %,.0f events/s (1 event per message, file checkpoints)%n", eventHubs);

        if (!Boolean.parseBoolean(System.getProperty("bench.webhook", "true"))) {
            return;
        }
        double webhook;
        try (RunningExporter e = new RunningExporter(dir.resolve("webhook"), Map.of("IOTHUB_EXPORTER_STATE_FSYNC", FSYNC))) {
            HttpClient http = HttpClient.newHttpClient();
            Semaphore inFlight = new Semaphore(WEBHOOK_CONCURRENCY);
            AtomicInteger failures = new AtomicInteger();
            List<CompletableFuture<?>> sent = new ArrayList<>();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < EVENTS; i += WEBHOOK_BATCH) {
                    String body = TestEvents.array(events.subList(i, Math.min(EVENTS, i + WEBHOOK_BATCH)));
                    inFlight.acquireUninterruptibly();
                    sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create(e.base + "/api/eventgrid"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                            .whenComplete((r, err) -> {
                                if (err != null || r.statusCode() != 200) {
                                    failures.incrementAndGet();
                                }
                                inFlight.release();
                            }));
                }
            }, "bench-webhook-sender");
            sender.start();
            webhook = measure(() -> processed(e, EventSource.WEBHOOK));
            sender.join();
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
            assertThat(failures.get()).isZero();
        }
        System.out.printf("bench: webhook    %,.0f events/s (%d events per POST, %d concurrent POSTs)%n", webhook, WEBHOOK_BATCH,
                WEBHOOK_CONCURRENCY);
        System.out.printf("bench: ratio eventhubs/webhook = %.2f%n", eventHubs / webhook);
    }
}
