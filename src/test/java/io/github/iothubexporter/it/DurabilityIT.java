package io.github.iothubexporter.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.iothubexporter.it.EventScript.Batch;
import io.github.iothubexporter.it.EventScript.Event;
import io.github.iothubexporter.it.EventScript.Identity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * DESIGN §4: "State is durable: after kill -9 and restart, the connected-device gauge and every device's state are
 * what they were (replayed input is idempotent)", and §10: a webhook batch is acknowledged only once it is durable.
 * Runs the real jar, kills it with SIGKILL, restarts it on the same state directory and compares.
 */
class DurabilityIT {
    private static final String SECRET = "it-secret-" + Long.toHexString(System.nanoTime());
    private static final Predicate<String> STATE_METRICS = n -> n.equals("iothub_devices_connected")
            || n.equals("iothub_devices_tracked") || n.startsWith("iothub_critical_device_");

    @TempDir
    Path tmp;

    private final List<ExporterProcess> started = new ArrayList<>();

    @AfterEach
    void killAll() {
        for (ExporterProcess p : started) {
            if (p.isAlive()) {
                p.kill9();
            }
        }
    }

    private ExporterProcess start(String name, Path stateDir, Consumer<ExporterProcess.Options> customize) {
        ExporterProcess.Options o = new ExporterProcess.Options(name, stateDir, SECRET).critical(EventScript.CRITICAL_DEVICES);
        customize.accept(o);
        ExporterProcess p = ExporterProcess.start(o);
        started.add(p);
        return p;
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void killNineAfterAcknowledgedBatchesRestoresIdenticalStateAndReplayIsIdempotent() throws Exception {
        EventScript script = EventScript.generate(20250301L, 170, 12, 50);
        assertThat(script.events()).hasSizeGreaterThan(3000);
        Path state = tmp.resolve("state");

        ExporterProcess first = start("durability-kill9", state, o -> { });
        ExporterApi api = new ExporterApi(first, SECRET);
        List<ExporterApi.Delivery> answers = postAll(first, api, script.batches());
        int applied = answers.stream().mapToInt(d -> d.count("applied")).sum();
        int ignored = answers.stream().mapToInt(d -> d.count("duplicates") + d.count("outOfOrder")).sum();
        assertThat(applied + ignored).as("every posted event is applied, a duplicate or out of order").isEqualTo(script.events().size());

        Map<Identity, Event> expected = EventScript.latest(script.events());
        String before = api.scrape();
        assertStateMetricsMatch(before, expected);
        // Posted one batch after another, so the order of application, and with it each last-change time, is known.
        assertThat(MetricsText.numbers(before, "iothub_critical_device_state_changed_timestamp_seconds"::equals))
                .as("iothub_critical_device_state_changed_timestamp_seconds")
                .isEqualTo(EventScript.expectedCriticalChanged(script.events(), EventScript::isCritical));
        assertDevicesMatch(api, script.identities(), expected, EventScript.changedMillis(script.events()));
        Map<Identity, String> devicesBefore = deviceBodies(api, script.identities());
        Map<String, String> metricsBefore = MetricsText.values(before, STATE_METRICS);

        first.kill9();
        ExporterProcess second = start("durability-kill9-restart", state, o -> { });
        ExporterApi api2 = new ExporterApi(second, SECRET);
        String after = api2.scrape();
        assertThat(MetricsText.values(after, STATE_METRICS))
                .as("state series after kill -9 and restart (log %s)", second.log())
                .isEqualTo(metricsBefore);
        assertThat(deviceBodies(api2, script.identities())).as("GET /api/devices after kill -9 and restart").isEqualTo(devicesBefore);

        // Event Grid redelivers: re-post every batch already applied. Nothing may change.
        double ignoredBefore = MetricsText.sum(after, "iothub_connection_events_ignored_total");
        double eventsBefore = MetricsText.sum(after, "iothub_connection_events_total");
        for (Batch b : script.batches()) {
            ExporterApi.Delivery d = api2.post(b.body());
            assertThat(d.status()).as("replayed batch %d: %s", b.index(), d.body()).isEqualTo(200);
            long latest = b.events().stream().filter(e -> expected.get(e.id()).seq().equals(e.seq())).count();
            assertThat(d.count("received")).as("batch %d: %s", b.index(), d.body()).isEqualTo(b.events().size());
            assertThat(d.count("applied")).as("replayed batch %d must apply nothing: %s", b.index(), d.body()).isZero();
            assertThat(d.count("duplicates")).as("replayed batch %d: events equal to the stored latest: %s", b.index(), d.body())
                    .isEqualTo((int) latest);
            assertThat(d.count("outOfOrder")).as("replayed batch %d: events older than the stored latest: %s", b.index(), d.body())
                    .isEqualTo(b.events().size() - (int) latest);
        }
        String replayed = api2.scrape();
        assertThat(MetricsText.values(replayed, STATE_METRICS)).as("state series after replaying every batch").isEqualTo(metricsBefore);
        assertThat(MetricsText.sum(replayed, "iothub_connection_events_total")).as("applied-event counter after replay")
                .isEqualTo(eventsBefore);
        assertThat(MetricsText.sum(replayed, "iothub_connection_events_ignored_total") - ignoredBefore)
                .as("every replayed event is counted as ignored").isEqualTo(script.events().size());
        assertThat(deviceBodies(api2, script.identities())).as("GET /api/devices after replay").isEqualTo(devicesBefore);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void snapshotAndJournalTailSurviveGracefulStopThenKillNine() throws Exception {
        EventScript script = EventScript.generate(77L, 220, 12, 40);
        int half = script.batches().size() / 2;
        List<Batch> firstHalf = script.batches().subList(0, half);
        List<Batch> secondHalf = script.batches().subList(half, script.batches().size());
        Path state = tmp.resolve("state");
        // A small journal limit makes the writer snapshot (and rotate segments) several times under load.
        Consumer<ExporterProcess.Options> smallJournal = o -> o.env("IOTHUB_EXPORTER_STATE_SNAPSHOTJOURNALBYTES", "64KiB");

        ExporterProcess a = start("durability-snapshot-a", state, smallJournal);
        postAll(a, new ExporterApi(a, SECRET), firstHalf);
        // The writer snapshots right after acknowledging the group that crossed the limit: allow it a moment.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(state.resolve("snapshot.bin"))
                .as("a snapshot is written once the journal exceeds 64 KiB; state dir: %s", listing(state)).exists());
        a.stop();

        ExporterProcess b = start("durability-snapshot-b", state, smallJournal);
        ExporterApi apiB = new ExporterApi(b, SECRET);
        Map<Identity, Event> expectedHalf = EventScript.latest(EventScript.eventsOf(firstHalf));
        assertStateMetricsMatch(apiB.scrape(), expectedHalf);
        assertDevicesMatch(apiB, script.identities(), expectedHalf);

        postAll(b, apiB, secondHalf);
        Map<Identity, Event> expected = EventScript.latest(script.events());
        String before = apiB.scrape();
        assertStateMetricsMatch(before, expected);
        Map<Identity, String> devicesBefore = deviceBodies(apiB, script.identities());
        b.kill9();

        ExporterProcess c = start("durability-snapshot-c", state, smallJournal);
        ExporterApi apiC = new ExporterApi(c, SECRET);
        assertThat(MetricsText.values(apiC.scrape(), STATE_METRICS)).as("state series after kill -9 (log %s)", c.log())
                .isEqualTo(MetricsText.values(before, STATE_METRICS));
        assertThat(deviceBodies(apiC, script.identities())).as("GET /api/devices after kill -9").isEqualTo(devicesBefore);
        assertDevicesMatch(apiC, script.identities(), expected);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void killNineWhileBatchesAreInFlightKeepsEveryAcknowledgedBatch() throws Exception {
        EventScript script = EventScript.generate(4242L, 200, 12, 10);
        List<Batch> batches = script.batches();
        assertThat(batches).hasSizeGreaterThan(350);
        Path state = tmp.resolve("state");
        Consumer<ExporterProcess.Options> smallJournal = o -> o.env("IOTHUB_EXPORTER_STATE_SNAPSHOTJOURNALBYTES", "64KiB");
        ExporterProcess first = start("durability-inflight", state, smallJournal);
        ExporterApi api = new ExporterApi(first, SECRET);

        int threads = 4;
        int killAfter = batches.size() * 3 / 5; // late enough that the writer has snapshotted under load
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        CountDownLatch enoughAcks = new CountDownLatch(killAfter);
        Map<Integer, Boolean> attempted = new ConcurrentHashMap<>(); // batch → acknowledged (200)
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> posters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (true) {
                    int i = next.getAndIncrement();
                    if (i >= batches.size()) {
                        return;
                    }
                    attempted.put(i, false);
                    try {
                        ExporterApi.Delivery d = api.post(batches.get(i).body());
                        if (d.status() == 200) {
                            attempted.put(i, true);
                            enoughAcks.countDown();
                        } else if (!killed.get()) {
                            errors.add(new AssertionError("batch " + i + " answered " + d.status() + ": " + d.body()));
                            return;
                        }
                    } catch (IOException e) {
                        if (!killed.get()) {
                            errors.add(new AssertionError("batch " + i + " failed before the kill", e));
                        }
                        return; // the process is gone: stop posting
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "poster-" + t);
            th.start();
            posters.add(th);
        }
        boolean reached = enoughAcks.await(60, TimeUnit.SECONDS);
        killed.set(true);
        first.kill9();
        for (Thread th : posters) {
            th.join(30_000);
            assertThat(th.isAlive()).as("poster thread %s finished", th.getName()).isFalse();
        }
        assertThat(errors).as("errors before the kill (log %s)", first.log()).isEmpty();
        assertThat(reached).as("%d batches acknowledged within 60 s", killAfter).isTrue();

        List<Batch> acked = new ArrayList<>();
        List<Batch> unacked = new ArrayList<>();
        attempted.forEach((i, ok) -> (ok ? acked : unacked).add(batches.get(i)));
        assertThat(acked.size()).as("the kill happened while batches were still being posted").isLessThan(batches.size());
        System.out.printf("in-flight kill: %d of %d batches acknowledged, %d posted without an answer, %d never posted%n",
                acked.size(), batches.size(), unacked.size(), batches.size() - attempted.size());

        ExporterProcess second = start("durability-inflight-restart", state, smallJournal);
        ExporterApi api2 = new ExporterApi(second, SECRET);
        Map<Identity, Event> ackedLatest = EventScript.latest(EventScript.eventsOf(acked));
        Map<Identity, Map<java.math.BigInteger, Event>> candidates = new HashMap<>();
        for (Event e : EventScript.eventsOf(attempted.keySet().stream().map(batches::get).toList())) {
            candidates.computeIfAbsent(e.id(), k -> new HashMap<>()).put(e.seq(), e);
        }

        // Per identity: at least the acknowledged latest; anything newer must be one of its sent events.
        Map<Identity, JsonNode> restored = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Identity id : script.identities()) {
            HttpResponse<String> r = api2.device(queryHub(id), id.deviceId(), id.moduleId());
            Event mustHave = ackedLatest.get(id);
            if (r.statusCode() == 404) {
                if (mustHave != null) {
                    problems.add(id + ": no state after restart, but acknowledged batches set it to seq " + mustHave.seqHexUpper());
                }
                continue;
            }
            if (r.statusCode() != 200) {
                problems.add(id + ": GET answered " + r.statusCode() + " " + r.body());
                continue;
            }
            JsonNode body = ExporterApi.JSON.readTree(r.body());
            restored.put(id, body);
            java.math.BigInteger seq = new java.math.BigInteger(body.path("sequenceNumber").asText(), 16);
            Event source = candidates.getOrDefault(id, Map.of()).get(seq);
            if (source == null) {
                problems.add(id + ": restored seq " + body.path("sequenceNumber").asText() + " is not any event sent for it");
                continue;
            }
            if (mustHave != null && seq.compareTo(mustHave.seq()) < 0) {
                problems.add(id + ": restored seq " + source.seqHexUpper() + " is older than the acknowledged " + mustHave.seqHexUpper());
            }
            String mismatch = describeMismatch(id, source, body);
            if (mismatch != null) {
                problems.add(mismatch);
            }
        }
        long beyondAcked = restored.entrySet().stream().filter(e -> {
            Event a = ackedLatest.get(e.getKey());
            return a == null || !a.seqHexUpper().equals(e.getValue().path("sequenceNumber").asText().toUpperCase(Locale.ROOT));
        }).count();
        System.out.printf("after restart: %d identities restored, %d of them from events of unacknowledged batches%n",
                restored.size(), beyondAcked);
        assertThat(problems).as("identities whose restored state contradicts the acknowledged batches (%d acknowledged, "
                + "%d in flight at the kill; log %s)", acked.size(), unacked.size(), second.log()).isEmpty();

        // The gauges agree with the per-device state the API reports.
        Map<String, Double> fromApi = new TreeMap<>();
        Map<String, Double> criticalFromApi = new TreeMap<>();
        for (Map.Entry<Identity, JsonNode> e : restored.entrySet()) {
            Identity id = e.getKey();
            boolean connected = e.getValue().path("connected").asBoolean();
            fromApi.merge("iothub_devices_tracked{hub=\"" + id.hub() + "\",}", 1.0, Double::sum);
            fromApi.merge("iothub_devices_connected{hub=\"" + id.hub() + "\",}", connected ? 1.0 : 0.0, Double::sum);
            if (EventScript.isCritical(id)) {
                criticalFromApi.put("iothub_critical_device_connected{device=\"" + id.label() + "\",hub=\"" + id.hub() + "\",}",
                        connected ? 1.0 : 0.0);
            }
        }
        String restartedMetrics = api2.scrape();
        assertThat(MetricsText.numbers(restartedMetrics, n -> n.equals("iothub_devices_connected") || n.equals("iothub_devices_tracked")))
                .as("gauges after restart vs. per-device state").isEqualTo(fromApi);
        assertThat(MetricsText.numbers(restartedMetrics, "iothub_critical_device_connected"::equals))
                .as("critical series after restart vs. per-device state").isEqualTo(criticalFromApi);

        // Event Grid retries: acknowledged batches change nothing; then everything else converges to the full model.
        for (Batch b : acked) {
            ExporterApi.Delivery d = api2.post(b.body());
            assertThat(d.status()).as("re-posted acknowledged batch %d: %s", b.index(), d.body()).isEqualTo(200);
            assertThat(d.count("applied")).as("re-posted acknowledged batch %d applies nothing: %s", b.index(), d.body()).isZero();
        }
        List<Batch> rest = batches.stream().filter(b -> !Boolean.TRUE.equals(attempted.get(b.index()))).toList();
        postAll(second, api2, rest);
        Map<Identity, Event> expected = EventScript.latest(script.events());
        assertStateMetricsMatch(api2.scrape(), expected);
        assertDevicesMatch(api2, script.identities(), expected);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void criticalSeriesFollowTheConfigurationAfterRestart() throws Exception {
        EventScript script = EventScript.generate(99L, 40, 8, 50);
        Map<Identity, Event> expected = EventScript.latest(script.events());
        Path state = tmp.resolve("state");

        ExporterProcess first = start("durability-critical-a", state, o -> { });
        postAll(first, new ExporterApi(first, SECRET), script.batches());
        first.kill9();

        // Journal-only recovery under a different configuration.
        String config2 = "dev-0001,BETA-HUB/dev-0002,gateway-01/*";
        Predicate<Identity> critical2 = id -> id.moduleId().isEmpty() && id.deviceId().equals("dev-0001")
                || id.hub().equals("beta-hub") && id.moduleId().isEmpty() && id.deviceId().equals("dev-0002")
                || id.deviceId().equals("gateway-01") && !id.moduleId().isEmpty();
        ExporterProcess second = start("durability-critical-b", state, o -> o.critical(config2));
        String m2 = new ExporterApi(second, SECRET).scrape();
        assertThat(MetricsText.numbers(m2, "iothub_critical_device_connected"::equals))
                .as("critical series for %s after journal recovery", config2)
                .isEqualTo(EventScript.expectedCriticalConnected(expected, critical2));
        assertThat(MetricsText.numbers(m2, "iothub_critical_device_state_changed_timestamp_seconds"::equals))
                .as("critical state-changed timestamps for %s after journal recovery", config2)
                .isEqualTo(EventScript.expectedCriticalChanged(script.events(), critical2));
        second.stop();

        // Snapshot recovery under the original configuration.
        ExporterProcess third = start("durability-critical-c", state, o -> { });
        String m3 = new ExporterApi(third, SECRET).scrape();
        assertThat(MetricsText.numbers(m3, "iothub_critical_device_connected"::equals))
                .as("critical series for %s after snapshot recovery", EventScript.CRITICAL_DEVICES)
                .isEqualTo(EventScript.expectedCriticalConnected(expected));
        assertThat(MetricsText.numbers(m3, "iothub_critical_device_state_changed_timestamp_seconds"::equals))
                .as("critical state-changed timestamps after snapshot recovery")
                .isEqualTo(EventScript.expectedCriticalChanged(script.events(), EventScript::isCritical));
        assertStateMetricsMatch(m3, expected);
    }

    // ------------------------------------------------------------------------------------------------------------

    private static String listing(Path dir) throws IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            return files.map(f -> f.getFileName() + "=" + f.toFile().length()).sorted().toList().toString();
        }
    }

    /** Posts batches one after another; every answer must be 200. */
    private static List<ExporterApi.Delivery> postAll(ExporterProcess p, ExporterApi api, Collection<Batch> batches)
            throws InterruptedException {
        List<ExporterApi.Delivery> out = new ArrayList<>(batches.size());
        for (Batch b : batches) {
            ExporterApi.Delivery d;
            try {
                d = api.post(b.body());
            } catch (IOException e) {
                throw new AssertionError("posting batch " + b.index() + " failed: " + e + "; exporter output:\n" + p.logTail(), e);
            }
            if (d.status() != 200) {
                fail("batch " + b.index() + " answered " + d.status() + ": " + d.body() + "\nexporter output:\n" + p.logTail());
            }
            assertThat(d.count("rejected")).as("batch %d: %s", b.index(), d.body()).isZero();
            out.add(d);
        }
        return out;
    }

    /** Hub spelling used to query: sometimes upper case, since hub names compare case-insensitively. */
    private static String queryHub(Identity id) {
        return Math.floorMod(id.deviceId().hashCode(), 3) == 0 ? id.hub().toUpperCase(Locale.ROOT) : id.hub();
    }

    /** Status and body of GET /api/devices for every identity (404 bodies included). */
    private static Map<Identity, String> deviceBodies(ExporterApi api, List<Identity> ids) {
        Map<Identity, String> out = new LinkedHashMap<>();
        for (Identity id : ids) {
            HttpResponse<String> r = api.device(id.hub(), id.deviceId(), id.moduleId());
            out.put(id, r.statusCode() + " " + r.body());
        }
        return out;
    }

    /** The gauges and the critical series equal what the expected per-identity state implies. */
    private static void assertStateMetricsMatch(String exposition, Map<Identity, Event> expected) {
        assertThat(MetricsText.numbers(exposition, n -> n.equals("iothub_devices_connected") || n.equals("iothub_devices_tracked")))
                .as("iothub_devices_connected / iothub_devices_tracked").isEqualTo(EventScript.expectedGauges(expected));
        Map<String, Double> critical = EventScript.expectedCriticalConnected(expected);
        assertThat(critical).as("the script has critical devices").isNotEmpty();
        assertThat(MetricsText.numbers(exposition, "iothub_critical_device_connected"::equals))
                .as("iothub_critical_device_connected").isEqualTo(critical);
        Map<String, Double> changed = MetricsText.numbers(exposition, "iothub_critical_device_state_changed_timestamp_seconds"::equals);
        assertThat(changed).as("one state-changed timestamp per critical device").hasSize(critical.size());
    }

    /** Every identity's API state equals the expected latest event (404 for identities without events). */
    private static void assertDevicesMatch(ExporterApi api, List<Identity> ids, Map<Identity, Event> expected) throws IOException {
        assertDevicesMatch(api, ids, expected, null);
    }

    /** As above, and with {@code changed} given, each eventTime (the last change) too. */
    private static void assertDevicesMatch(ExporterApi api, List<Identity> ids, Map<Identity, Event> expected,
                                           Map<Identity, Long> changed) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Identity id : ids) {
            HttpResponse<String> r = api.device(queryHub(id), id.deviceId(), id.moduleId());
            Event e = expected.get(id);
            if (e == null) {
                if (r.statusCode() != 404) {
                    problems.add(id + ": expected 404, got " + r.statusCode() + " " + r.body());
                }
                continue;
            }
            if (r.statusCode() != 200) {
                problems.add(id + ": expected 200, got " + r.statusCode() + " " + r.body());
                continue;
            }
            JsonNode body = ExporterApi.JSON.readTree(r.body());
            String mismatch = describeMismatch(id, e, body);
            if (mismatch != null) {
                problems.add(mismatch);
            }
            if (changed != null && !sameMillis(body.path("eventTime").asText(), changed.get(id))) {
                problems.add(id + ": eventTime " + body.path("eventTime") + " (expected "
                        + Instant.ofEpochMilli(changed.get(id)) + ")");
            }
        }
        assertThat(problems).as("GET /api/devices/{hub}/{device} vs. the latest event per identity").isEmpty();
    }

    private static boolean sameMillis(String isoTime, long millis) {
        try {
            return Instant.parse(isoTime).toEpochMilli() == millis;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String describeMismatch(Identity id, Event e, JsonNode body) {
        List<String> diffs = new ArrayList<>();
        if (!id.hub().equals(body.path("hub").asText())) {
            diffs.add("hub " + body.path("hub"));
        }
        if (!id.deviceId().equals(body.path("deviceId").asText())) {
            diffs.add("deviceId " + body.path("deviceId"));
        }
        JsonNode module = body.get("moduleId");
        String gotModule = module == null || module.isNull() ? "" : module.asText();
        if (!id.moduleId().equals(gotModule)) {
            diffs.add("moduleId " + module);
        }
        if (body.path("connected").asBoolean() != e.connected() || !body.path("connected").isBoolean()) {
            diffs.add("connected " + body.path("connected") + " (expected " + e.connected() + ")");
        }
        if (!e.seqHexUpper().equals(body.path("sequenceNumber").asText().toUpperCase(Locale.ROOT))) {
            diffs.add("sequenceNumber " + body.path("sequenceNumber") + " (expected " + e.seqHexUpper() + ")");
        }
        long expectedMillis = e.time().toEpochMilli();
        String time = body.path("eventTime").asText();
        try {
            if (Instant.parse(time).toEpochMilli() != expectedMillis) {
                diffs.add("eventTime " + time + " (expected " + Instant.ofEpochMilli(expectedMillis) + ")");
            }
        } catch (RuntimeException ex) {
            diffs.add("eventTime " + body.path("eventTime") + " is not an ISO-8601 instant");
        }
        return diffs.isEmpty() ? null : id + ": " + String.join(", ", diffs) + " in " + body;
    }
}
