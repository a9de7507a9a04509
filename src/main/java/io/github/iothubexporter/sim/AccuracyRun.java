package io.github.iothubexporter.sim;

import io.github.iothubexporter.classify.ClassificationSettings;
import io.github.iothubexporter.classify.Decision;
import io.github.iothubexporter.classify.DisconnectClassifier;
import io.github.iothubexporter.classify.DisconnectKind;
import io.github.iothubexporter.classify.SdkFamily;
import io.github.iothubexporter.classify.SdkVersionTable;
import io.github.iothubexporter.ingest.BodyException;
import io.github.iothubexporter.ingest.EventGridParser;
import io.github.iothubexporter.ingest.ParsedBatch;
import io.github.iothubexporter.logs.ConnectionLogParser;
import io.github.iothubexporter.logs.ConnectionLogRecord;
import io.github.iothubexporter.logs.LogEvidencePipeline;
import io.github.iothubexporter.logs.ParsedRecords;
import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the simulator through the real parser, state and classifier (as if live: the clock is simulated
 * time) and compares every decision with the simulator's ground truth: a confusion matrix of kinds.
 * {@code java -cp target/iothub-connectivity-exporter.jar io.github.iothubexporter.sim.AccuracyRun [devices] [hours] [seed]}
 */
public final class AccuracyRun {
    static final long LATENESS_MS = 4_000;
    private static final boolean DEBUG = Boolean.getBoolean("accuracy.debug");
    private static final String WATCH = System.getProperty("accuracy.watch", "");
    /** With debug: how many examples of each confusion (truth kind, decided kind, SDK, cause) to print on stderr. */
    private static final int EXAMPLES = Integer.getInteger("accuracy.examples", 0);

    /** Counts of truth kind → decided kind, plus the special cases the targets speak of. */
    public static final class Report {
        public final long[][] matrix = new long[3][3];
        public long visibleTruths;
        public long matched;
        public long unmatchedTruths;
        public long longOutages;
        public long longOutagesGenuine;
        /** Outages longer than grace + one 60 s snapshot: the ones snapshots can always tell apart. */
        public long clearOutages;
        public long clearOutagesGenuine;
        /**
         * Outages longer than grace that ended at a reconnect IoT Hub logged and reported within a snapshot: both
         * ends have the hub's own times. The others ended only when a .NET or C device sent its first message,
         * which no record times, so their length is known to the 60 s snapshot resolution only.
         */
        public long loggedOutages;
        public long loggedOutagesGenuine;
        public long renewalsCalledGenuine;
        public long events;
        public long logRecords;
        public final java.util.Map<String, Integer> confusions = new java.util.TreeMap<>();
        public double seconds;

        public long correct() {
            return matrix[0][0] + matrix[1][1] + matrix[2][2];
        }

        public double accuracy() {
            return matched == 0 ? 0 : (double) correct() / matched;
        }

        public double longOutageRecall() {
            return longOutages == 0 ? 1 : (double) longOutagesGenuine / longOutages;
        }

        public double loggedOutageRecall() {
            return loggedOutages == 0 ? 1 : (double) loggedOutagesGenuine / loggedOutages;
        }

        public double clearOutageRecall() {
            return clearOutages == 0 ? 1 : (double) clearOutagesGenuine / clearOutages;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append("| truth \\ decided | token_renewal | transient | genuine |\n|---|---|---|---|\n");
            for (DisconnectKind t : DisconnectKind.values()) {
                sb.append("| ").append(t.label());
                for (DisconnectKind d : DisconnectKind.values()) {
                    sb.append(" | ").append(matrix[t.ordinal()][d.ordinal()]);
                }
                sb.append(" |\n");
            }
            sb.append(String.format("%nvisible disconnects %d, matched %d, unmatched %d; correct %.3f %%; "
                            + "outages longer than grace flagged genuine %.3f %% (%d/%d), longer than grace + 60 s %.3f %% (%d/%d), "
                            + "longer than grace and ended by a logged reconnect %.3f %% (%d/%d); "
                            + "token renewals called genuine %d; "
                            + "%d events and %d log records in %.1f s%n", visibleTruths, matched, unmatchedTruths, 100 * accuracy(),
                    100 * longOutageRecall(), longOutagesGenuine, longOutages, 100 * clearOutageRecall(), clearOutagesGenuine,
                    clearOutages, 100 * loggedOutageRecall(), loggedOutagesGenuine, loggedOutages, renewalsCalledGenuine, events,
                    logRecords, seconds));
            return sb.toString();
        }
    }

    public static Report run(int devices, double hours, long seed) {
        return run(devices, hours, seed, true);
    }

    /** @param withLogs feed the simulator's Connections records too (SDK attribution and log evidence) */
    public static Report run(int devices, double hours, long seed, boolean withLogs) {
        long t0 = System.nanoTime();
        Duration grace = Duration.ofSeconds(180);
        StateStore store = new StateStore(10, new CriticalDevices(List.of()), 0);
        ClassificationSettings defaults = ClassificationSettings.defaults(grace);
        ClassificationSettings settings = new ClassificationSettings(grace, defaults.tolerance(),
                renewalPeriods(defaults.renewalSeconds(), System.getProperty("accuracy.renewalPeriods", "")),
                withLogs ? Duration.ofMinutes(Long.getLong("accuracy.logWaitMinutes", 10)) : Duration.ZERO);
        DisconnectClassifier classifier = new DisconnectClassifier(settings, 10, new SdkVersionTable());
        store.observer(classifier);
        Map<String, List<Decision>> decisions = new HashMap<>();
        classifier.addListener(d -> {
            if (d.deviceId().equals(WATCH)) {
                System.err.println("  decision " + java.time.Instant.ofEpochMilli(d.disconnectMillis()) + " " + d.kind() + " age " + d.ageSeconds());
            }
        });
        classifier.addListener(d -> decisions.computeIfAbsent(d.hub() + "/" + d.deviceId(), k -> new ArrayList<>()).add(d));
        EventGridParser parser = new EventGridParser();
        ConnectionLogParser recordParser = new ConnectionLogParser();
        long[] logRecords = {0};
        long start = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
        long[] events = {0};
        FleetSimulator[] sim = new FleetSimulator[1];
        sim[0] = new FleetSimulator(new FleetSimulator.Settings(devices, 2, 1, seed, grace), body -> {
            try {
                ParsedBatch b = parser.parse(body, 0, body.length);
                if (!b.rejections().isEmpty()) {
                    throw new IllegalStateException("simulator event rejected: " + b.rejections().get(0).message());
                }
                for (ConnectionEvent e : b.events()) {
                    store.apply(e, EventSource.SIMULATOR, true);
                    if (e.deviceId().equals(WATCH)) {
                        System.err.println("  event " + java.time.Instant.ofEpochMilli(e.eventTimeMillis()) + " " + e.connected());
                    }
                }
                events[0] += b.events().size();
                store.advanceWatermark(sim[0].simulatedTimeMillis() - LATENESS_MS, true);
            } catch (BodyException e) {
                throw new IllegalStateException(e);
            }
        }, withLogs ? body -> {
            try {
                ParsedRecords parsed = recordParser.parseRecordsBody(body, 0, body.length);
                if (!parsed.rejections().isEmpty()) {
                    throw new IllegalStateException("simulator record rejected: " + parsed.rejections().get(0).message());
                }
                List<ConnectionLogRecord> records = new ArrayList<>(parsed.records());
                records.sort(java.util.Comparator.comparingLong(ConnectionLogRecord::timeMillis));
                for (ConnectionLogRecord r : records) {
                    store.applyFact(LogEvidencePipeline.toFact(r), true);
                    String kind = store.factKind(LogEvidencePipeline.toFact(r));
                    if (r.deviceId().equals(WATCH)) {
                        System.err.println("  record " + java.time.Instant.ofEpochMilli(r.timeMillis()) + " " + r.operation() + " "
                                + r.resultType() + " -> " + kind + " at sim " + java.time.Instant.ofEpochMilli(sim[0].simulatedTimeMillis()));
                    }
                }
                logRecords[0] += records.size();
            } catch (BodyException e) {
                throw new IllegalStateException(e);
            }
        } : null, start);
        List<DisconnectTruth> truths = new ArrayList<>();
        sim[0].onTruth(truths::add);
        long end = start + (long) (hours * 3600_000);
        for (long t = start; t < end; t += 1000) {
            sim[0].advanceTo(t);
            store.advanceWatermark(t - LATENESS_MS, true);
        }
        Report r = new Report();
        r.events = events[0];
        r.logRecords = logRecords[0];
        for (DisconnectTruth truth : truths) {
            if (!truth.visible()) {
                continue;
            }
            r.visibleTruths++;
            Decision match = null;
            for (Decision d : decisions.getOrDefault(truth.hub() + "/" + truth.deviceId(), List.of())) {
                if (d.disconnectMillis() > truth.downMillis() && d.disconnectMillis() <= truth.downMillis() + FleetSimulator.SNAPSHOT_MS) {
                    match = d;
                    break;
                }
            }
            if (match == null) {
                if (DEBUG && r.unmatchedTruths < 8) {
                    System.err.println("unmatched: " + truth);
                }
                r.unmatchedTruths++;
                continue;
            }
            r.matched++;
            int t = kindOf(truth.kind()).ordinal();
            r.matrix[t][match.kind().ordinal()]++;
            long gap = truth.upMillis() - truth.downMillis();
            if (gap > grace.toMillis()) {
                r.longOutages++;
                if (match.kind() == DisconnectKind.GENUINE) {
                    r.longOutagesGenuine++;
                } else if (DEBUG) {
                    boolean forced = false;
                    for (Decision d : decisions.get(truth.hub() + "/" + truth.deviceId())) {
                        forced |= d.disconnectMillis() > match.reconnectMillis() && d.disconnectMillis() < match.reconnectMillis() + 600_000;
                    }
                    System.err.println("missed outage" + (forced ? " (next drop came first)" : "") + ": " + truth + "\n   -> " + match);
                }
            }
            if (gap > grace.toMillis() && truth.upMillis() == truth.linkUpMillis()) {
                r.loggedOutages++;
                if (match.kind() == DisconnectKind.GENUINE) {
                    r.loggedOutagesGenuine++;
                }
            }
            if (gap > grace.toMillis() + FleetSimulator.SNAPSHOT_MS) {
                r.clearOutages++;
                if (match.kind() == DisconnectKind.GENUINE) {
                    r.clearOutagesGenuine++;
                }
            }
            if (DEBUG && !truth.kind().equals(match.kind().label())) {
                String confusion = truth.kind() + "->" + match.kind().label() + " " + truth.sdk() + " " + truth.cause();
                if (r.confusions.merge(confusion, 1, Integer::sum) <= EXAMPLES) {
                    System.err.println(confusion + ": " + truth + "\n   -> " + match);
                }
            }
            if (truth.kind().equals("token_renewal") && match.kind() == DisconnectKind.GENUINE) {
                r.renewalsCalledGenuine++;
                if (DEBUG && r.renewalsCalledGenuine < 5) {
                    System.err.println(truth + " -> " + match + " all=" + decisions.get(truth.hub() + "/" + truth.deviceId()));
                }
            }
        }
        r.seconds = (System.nanoTime() - t0) / 1e9;
        return r;
    }

    /** The default periods with overrides such as {@code c=48m,node=45m} (minutes), as classification.renewalPeriods sets them. */
    static Map<SdkFamily, Integer> renewalPeriods(Map<SdkFamily, Integer> defaults, String overrides) {
        Map<SdkFamily, Integer> periods = new java.util.EnumMap<>(defaults);
        for (String part : overrides.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.trim().split("=", 2);
            periods.put(SdkFamily.ofLabel(kv[0]), Integer.parseInt(kv[1].replaceAll("m$", "")) * 60);
        }
        return periods;
    }

    private static DisconnectKind kindOf(String label) {
        for (DisconnectKind k : DisconnectKind.values()) {
            if (k.label().equals(label)) {
                return k;
            }
        }
        throw new IllegalArgumentException(label);
    }

    public static void main(String[] args) {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        double hours = args.length > 1 ? Double.parseDouble(args[1]) : 24;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        boolean logs = args.length <= 3 || !args[3].equals("nologs");
        System.out.println("Classification accuracy: " + devices + " devices, " + hours + " simulated hours, seed " + seed
                + (logs ? ", with Connections logs" : ", connection-state events only"));
        Report report = run(devices, hours, seed, logs);
        System.out.print(report);
        if (DEBUG) {
            report.confusions.forEach((k, v) -> System.out.println(k + ": " + v));
        }
    }

    private AccuracyRun() {
    }
}
