package io.github.iothubexporter.sim;

import io.github.iothubexporter.ingest.EventGridParser;
import io.github.iothubexporter.ingest.ParsedBatch;
import io.github.iothubexporter.logs.ConnectionLogParser;
import io.github.iothubexporter.logs.ConnectionLogRecord;
import io.github.iothubexporter.logs.ParsedRecords;
import io.github.iothubexporter.model.ConnectionEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated fleet run through the real Event Grid and Connections-record parsers, with everything it emitted
 * kept per device (events in sequence order, records in time order) next to its ground truth.
 */
final class SimulatedDay {
    static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final long GRACE_MS = 180_000;

    final Map<String, List<ConnectionEvent>> events = new HashMap<>();
    final Map<String, List<ConnectionLogRecord>> records = new HashMap<>();
    /** Outages that began within the run's hours (their records have all arrived). */
    final List<DisconnectTruth> truths = new ArrayList<>();
    int rejected;

    static SimulatedDay run(int devices, long seed, double hours) {
        SimulatedDay day = new SimulatedDay();
        EventGridParser parser = new EventGridParser();
        ConnectionLogParser recordParser = new ConnectionLogParser();
        FleetSimulator sim = new FleetSimulator(new FleetSimulator.Settings(devices, 2, 1, seed, Duration.ofMillis(GRACE_MS)),
                body -> {
                    try {
                        ParsedBatch b = parser.parse(body, 0, body.length);
                        day.rejected += b.rejections().size();
                        b.events().forEach(e -> day.events.computeIfAbsent(e.deviceId(), k -> new ArrayList<>()).add(e));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                },
                body -> {
                    try {
                        ParsedRecords p = recordParser.parseRecordsBody(body, 0, body.length);
                        day.rejected += p.rejections().size();
                        p.records().forEach(r -> day.records.computeIfAbsent(r.deviceId(), k -> new ArrayList<>()).add(r));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }, START);
        long end = START + (long) (hours * 3600_000);
        sim.onTruth(t -> {
            if (t.downMillis() <= end) {
                day.truths.add(t);
            }
        });
        for (long t = START; t <= end + 40 * 60_000; t += 10_000) { // 40 more minutes: late records arrive
            sim.advanceTo(t);
        }
        day.events.values().forEach(list -> list.sort((a, b) -> a.sequenceNumber().compareTo(b.sequenceNumber())));
        day.records.values().forEach(list -> list.sort(Comparator.comparingLong(ConnectionLogRecord::timeMillis)));
        return day;
    }

    List<ConnectionEvent> events(String deviceId) {
        return events.getOrDefault(deviceId, List.of());
    }

    List<ConnectionLogRecord> records(String deviceId) {
        return records.getOrDefault(deviceId, List.of());
    }

    /** The first connection-state event of the device after {@code millis} that reports it connected, or null. */
    ConnectionEvent firstConnectedEventAfter(String deviceId, long millis) {
        for (ConnectionEvent e : events(deviceId)) {
            if (e.connected() && e.eventTimeMillis() > millis) {
                return e;
            }
        }
        return null;
    }

    private SimulatedDay() {
    }
}
