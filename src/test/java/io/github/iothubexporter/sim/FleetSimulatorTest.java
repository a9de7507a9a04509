package io.github.iothubexporter.sim;

import io.github.iothubexporter.ingest.EventGridParser;
import io.github.iothubexporter.ingest.ParsedBatch;
import io.github.iothubexporter.model.ConnectionEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FleetSimulatorTest {
    static final long START = 1_767_225_600_000L;
    static final long DAY = 24 * 3600_000L;

    private static FleetSimulator.Settings settings(int devices, long seed) {
        return new FleetSimulator.Settings(devices, 2, 1, seed, Duration.ofSeconds(180));
    }

    private static String digestOfRun(long seed, long millis) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        FleetSimulator sim = new FleetSimulator(settings(500, seed), md::update, body -> md.update(body), START);
        for (long t = START; t <= START + millis; t += 10_000) {
            sim.advanceTo(t);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void theSameSeedGivesTheSameStream() throws Exception {
        // event ids are random UUIDs from the seeded stream too, so the bytes must match exactly
        assertThat(digestOfRun(7, 6 * 3600_000L)).isEqualTo(digestOfRun(7, 6 * 3600_000L));
        assertThat(digestOfRun(7, 3600_000L)).isNotEqualTo(digestOfRun(8, 3600_000L));
    }

    /** A run over the state of an earlier run (the README's command, twice, on ./data) keeps applying its events. */
    @Test
    void aRestartedSimulatorWinsOverTheStateOfItsLastRun() throws Exception {
        io.github.iothubexporter.state.StateStore store = new io.github.iothubexporter.state.StateStore(10,
                new io.github.iothubexporter.state.CriticalDevices(List.of()), 0);
        EventGridParser parser = new EventGridParser();
        Map<io.github.iothubexporter.state.StateStore.Outcome, Integer> outcomes = new java.util.EnumMap<>(
                io.github.iothubexporter.state.StateStore.Outcome.class);
        for (long start : new long[]{START, START + 3600_000L}) { // same seed, started an hour later
            outcomes.clear();
            FleetSimulator sim = new FleetSimulator(settings(300, 42), body -> {
                try {
                    for (ConnectionEvent e : parser.parse(body, 0, body.length).events()) {
                        outcomes.merge(store.apply(e, io.github.iothubexporter.model.EventSource.SIMULATOR, true), 1, Integer::sum);
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, null, start);
            for (long t = start; t <= start + 20 * 60_000L; t += 10_000) {
                sim.advanceTo(t);
            }
            assertThat(outcomes.getOrDefault(io.github.iothubexporter.state.StateStore.Outcome.OUT_OF_ORDER, 0))
                    .as("run started at %d", start).isZero();
            assertThat(outcomes.get(io.github.iothubexporter.state.StateStore.Outcome.APPLIED)).isGreaterThan(250);
        }
    }

    @Test
    void aSimulatedDayFollowsIotHubsSnapshotSemanticsAndEveryEventParses() throws Exception {
        EventGridParser parser = new EventGridParser();
        Map<String, List<ConnectionEvent>> byDevice = new HashMap<>();
        int[] rejected = {0};
        List<String> logBodies = new ArrayList<>();
        FleetSimulator sim = new FleetSimulator(settings(2000, 42), body -> {
            try {
                ParsedBatch b = parser.parse(body, 0, body.length);
                rejected[0] += b.rejections().size();
                b.events().forEach(e -> byDevice.computeIfAbsent(e.hub() + "/" + e.deviceLabel(), k -> new ArrayList<>()).add(e));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, body -> logBodies.add(new String(body, StandardCharsets.UTF_8)), START);
        List<DisconnectTruth> truths = new ArrayList<>();
        sim.onTruth(truths::add);
        long t0 = System.nanoTime();
        for (long t = START; t <= START + DAY; t += 1000) {
            sim.advanceTo(t);
        }
        assertThat((System.nanoTime() - t0) / 1e9).as("a simulated day of 2000 devices runs fast").isLessThan(60);
        assertThat(rejected[0]).isZero();
        assertThat(byDevice.size()).as("HTTPS-only and bad-key devices produce no events").isBetween(1900, 1999);

        for (List<ConnectionEvent> events : byDevice.values()) {
            events.sort((a, b) -> a.sequenceNumber().compareTo(b.sequenceNumber()));
            long phase = Math.floorMod(events.get(0).eventTimeMillis(), 60_000);
            for (int i = 0; i < events.size(); i++) {
                ConnectionEvent e = events.get(i);
                assertThat(Math.floorMod(e.eventTimeMillis(), 60_000)).as("event time is the device's snapshot time").isEqualTo(phase);
                if (i > 0) {
                    ConnectionEvent prev = events.get(i - 1);
                    boolean duplicate = e.sequenceNumber().equals(prev.sequenceNumber());
                    if (!duplicate) {
                        assertThat(e.eventTimeMillis()).isGreaterThan(prev.eventTimeMillis());
                        assertThat(e.connected()).as("only changes are reported").isNotEqualTo(prev.connected());
                    }
                }
            }
        }
        // .NET renewals every ~70 minutes (lifetime + 10 min grace), Node.js every ~45
        assertThat(medianRenewalMinutes(truths, "dotnet")).isBetween(69.0, 72.0);
        assertThat(medianRenewalMinutes(truths, "node")).isBetween(44.0, 47.0);
        assertThat(truths).anyMatch(t -> t.cause().equals("outage") && t.kind().equals("genuine"));
        assertThat(truths).anyMatch(t -> t.cause().equals("network_flap"));
        assertThat(truths).anyMatch(t -> t.cause().equals("duplicate_identity"));
        assertThat(truths).anyMatch(t -> t.kind().equals("token_renewal") && !t.visible()); // vanished inside a snapshot
        assertThat(truths).anyMatch(t -> t.kind().equals("token_renewal") && t.visible());

        String logs = String.join("\n", logBodies);
        assertThat(logs).contains("\"resultType\":\"401003\"").contains("\"resultType\":\"404104\"")
                .contains("\"resultType\":\"400027\"").contains("\"operationName\":\"deviceConnect\"")
                .contains("azure-iot-device-iothub-py/").contains(".NET/").contains("azsdk-c/");
        assertThat(sim.logRecordsEmitted()).isGreaterThan(10_000);
    }

    private static double medianRenewalMinutes(List<DisconnectTruth> truths, String sdk) {
        Map<String, Long> lastUp = new HashMap<>();
        List<Double> periods = new ArrayList<>();
        for (DisconnectTruth t : truths) {
            if (!t.sdk().equals(sdk)) {
                continue;
            }
            Long up = lastUp.put(t.deviceId(), t.upMillis());
            if (up != null && t.cause().equals("token_renewal")) {
                periods.add((t.downMillis() - up) / 60_000.0);
            }
        }
        periods.sort(null);
        return periods.get(periods.size() / 2);
    }
}
