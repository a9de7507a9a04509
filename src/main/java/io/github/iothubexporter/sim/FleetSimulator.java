package io.github.iothubexporter.sim;

import io.github.iothubexporter.config.ExporterConfig;
import io.github.iothubexporter.export.ExporterMetrics;
import io.github.iothubexporter.ingest.BodyException;
import io.github.iothubexporter.ingest.EventGridParser;
import io.github.iothubexporter.ingest.ParsedBatch;
import io.github.iothubexporter.ingest.Rejection;
import io.github.iothubexporter.logs.ConnectionLogListener;
import io.github.iothubexporter.logs.ConnectionLogParser;
import io.github.iothubexporter.logs.ParsedRecords;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.state.StateWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A fleet of virtual devices that behave like real IoT Hub clients (SAS renewal per SDK, outages, flaps,
 * MQTT keep-alive timeouts, a duplicate identity, a regional mass disconnect) and are observed the way IoT Hub
 * observes them: state sampled every 60 s, so short flaps vanish, each report with a higher sequence number;
 * .NET and C connections reported only from their first message on. Reports go out as Event Grid JSON through
 * the real parser, shuffled and sometimes duplicated like real deliveries.
 * Deterministic for a seed and start time; runs faster than real time with {@code speed}.
 *
 * <p>A device's connection has three moments: the connect (the hub logs it), the first message (from then on
 * the hub reports the connection; at once for SDKs that subscribe on connect) and the drop (as the hub sees it:
 * for a device whose network went silent, at the hub's keep-alive timeout).
 */
public final class FleetSimulator {
    private static final Logger LOG = LoggerFactory.getLogger(FleetSimulator.class);
    static final long SNAPSHOT_MS = 60_000;
    private static final int DELIVERY_BATCH = 100;
    /**
     * A regional mass disconnect hits one hub about every two weeks: rare, as real regional incidents are, yet a
     * week-long run still meets one (the fleet's first comes at a random time, so a short demo may too).
     */
    static final double MASS_MEAN_MILLIS = 14 * 24 * 3600_000.0;

    /** What the simulator needs to know. */
    public record Settings(int devices, int hubs, double speed, long seed, Duration reconnectGrace) {
    }

    /** Receives {@code {"records":[...]}} Connections resource-log bodies, in ingestion order. */
    public interface LogSink {
        void deliver(byte[] recordsBody);
    }

    /** Receives Event Grid bodies; blocking here slows the simulation down (backpressure). */
    public interface Sink {
        void deliver(byte[] eventGridBody);
    }

    // causes of a drop
    static final byte RENEWAL = 1, OUTAGE = 2, FLAP = 3, DUPLICATE = 4, MASS = 5, KEEPALIVE = 6;
    // behaviours
    static final byte NORMAL = 0, FLAPPER = 1, DUPLICATE_PAIR = 2, HTTPS_ONLY = 3, BAD_KEY = 4, FLAKY_NETWORK = 5;
    // when a (re)connected device first sends or receives a message (.NET and C: IoT Hub reports it only from then)
    static final byte AT_ONCE = 0, WITHIN_SECONDS = 1, HOURLY = 2, FOUR_HOURLY = 3, NEVER = 4;
    /** An MQTT device's network goes silent about every four days; a flaky-network device's every three hours. */
    static final double SILENCE_MEAN_MILLIS = 96 * 3600_000.0, FLAKY_SILENCE_MEAN_MILLIS = 3 * 3600_000.0;

    private final Settings settings;
    private final Sink sink;
    private final Random rnd;
    private final long startMillis;
    private final String[] hubNames;
    private final Fleet fleet;
    private final EventHeap heap = new EventHeap();
    private final ConnectionLogEmitter logs;
    private long nextAuthFailure;
    private final List<String> pending = new ArrayList<>();
    private final List<Consumer<DisconnectTruth>> truthListeners = new ArrayList<>();
    private long simNow;
    private long nextMassMillis;
    private long emitted;
    private volatile boolean running;
    private Thread thread;

    public FleetSimulator(ExporterConfig config, StateWriter writer, ExporterMetrics metrics, ConnectionLogListener logs) {
        this(new Settings(config.simulatorDevices(), config.simulatorHubs(), config.simulatorSpeed(), config.simulatorSeed(),
                config.reconnectGrace()), writerSink(writer, metrics), recordSink(logs, metrics), System.currentTimeMillis());
    }

    /** Connections records through the same record parser that Event Hubs and Log Analytics bodies use. */
    static LogSink recordSink(ConnectionLogListener listener, ExporterMetrics metrics) {
        ConnectionLogParser parser = new ConnectionLogParser();
        return body -> {
            try {
                ParsedRecords parsed = parser.parseRecordsBody(body, 0, body.length);
                for (Rejection r : parsed.rejections()) {
                    metrics.rejected(EventSource.SIMULATOR, r.reason(), 1);
                    LOG.warn("Simulator produced a Connections record the parser rejected: {}", r.message());
                }
                listener.onRecords(parsed.records(), "simulator");
            } catch (BodyException e) {
                metrics.rejected(EventSource.SIMULATOR, e.reason(), 1);
                LOG.warn("Simulator produced a records body the parser rejected: {}", e.getMessage());
            }
        };
    }

    public FleetSimulator(Settings settings, Sink sink, long startMillis) {
        this(settings, sink, null, startMillis);
    }

    /** With {@code logSink}, also emits the Connections resource-log records, after an ingestion delay. */
    public FleetSimulator(Settings settings, Sink sink, LogSink logSink, long startMillis) {
        this.settings = settings;
        this.sink = sink;
        this.rnd = new Random(settings.seed());
        this.startMillis = startMillis;
        this.simNow = startMillis;
        this.hubNames = new String[settings.hubs()];
        String[] names = {"contoso-sim-westeurope", "contoso-sim-eastus", "contoso-sim-japaneast"};
        System.arraycopy(names, 0, hubNames, 0, settings.hubs());
        this.fleet = new Fleet(settings.devices(), settings.hubs(), rnd, startMillis);
        this.logs = logSink == null ? null : new ConnectionLogEmitter(logSink, settings.seed(), hubNames);
        this.nextAuthFailure = startMillis + 30_000;
        for (int d = 0; d < fleet.size; d++) {
            if (fleet.behaviour[d] != HTTPS_ONLY && fleet.behaviour[d] != BAD_KEY) {
                heap.push(startMillis + (long) (rnd.nextDouble() * 90_000), EventHeap.TRANSITION, d);
            }
        }
        nextMassMillis = startMillis + expMillis(MASS_MEAN_MILLIS);
    }

    /** Parses through the real Event Grid parser and applies through the state writer, as the webhook does. */
    static Sink writerSink(StateWriter writer, ExporterMetrics metrics) {
        EventGridParser parser = new EventGridParser();
        return body -> {
            try {
                ParsedBatch batch = parser.parse(body, 0, body.length);
                for (Rejection r : batch.rejections()) {
                    metrics.rejected(EventSource.SIMULATOR, r.reason(), 1);
                    LOG.warn("Simulator produced an event the parser rejected: {}", r.message());
                }
                while (true) {
                    try {
                        writer.submit(batch.events(), EventSource.SIMULATOR, null).join();
                        return;
                    } catch (java.util.concurrent.CompletionException e) {
                        if (!(e.getCause() instanceof StateWriter.OverloadedException)) {
                            throw e;
                        }
                        Thread.sleep(50);
                    }
                }
            } catch (BodyException e) {
                metrics.rejected(EventSource.SIMULATOR, e.reason(), 1);
                LOG.warn("Simulator produced a body the parser rejected: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** Adds a listener of the ground truth, called on the simulator's thread as each outage ends. */
    public void onTruth(Consumer<DisconnectTruth> listener) {
        truthListeners.add(listener);
    }

    public String[] hubNames() {
        return hubNames.clone();
    }

    public long emitted() {
        return emitted;
    }

    public long simulatedTimeMillis() {
        return simNow;
    }

    /** Runs in real time scaled by {@code speed} on a thread of its own. */
    public void start() {
        running = true;
        long realStart = System.currentTimeMillis();
        thread = new Thread(() -> {
            try {
                while (running) {
                    long target = startMillis + (long) ((System.currentTimeMillis() - realStart) * settings.speed());
                    advanceTo(target);
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("Simulator stopped", e);
            }
        }, "fleet-simulator");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread and waits for it, so nothing is delivered (or told as truth) after this returns. */
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Simulates up to {@code target} (epoch ms, simulated) and delivers everything due. */
    public void advanceTo(long target) {
        while (true) {
            long next = Math.min(heap.isEmpty() ? Long.MAX_VALUE : heap.peekTime(), nextMassMillis);
            if (next > target) {
                break;
            }
            simNow = next;
            if (next == nextMassMillis) {
                massDisconnect();
                continue;
            }
            long item = heap.pop();
            int device = EventHeap.device(item);
            int generation = EventHeap.generation(item);
            if (generation >= 0 && generation != fleet.generation[device]) {
                continue; // planned for a connection that has dropped since (e.g. in a mass disconnect)
            }
            switch (EventHeap.type(item)) {
                case EventHeap.TRANSITION -> transition(device);
                case EventHeap.ACTIVATE -> activate(device);
                default -> report(device);
            }
            if (pending.size() >= DELIVERY_BATCH) {
                flush();
            }
        }
        simNow = Math.max(simNow, target);
        flush();
        if (logs != null) {
            while (nextAuthFailure <= simNow && fleet.size >= 4) {
                logs.authFailure(fleet, fleet.size - 2, nextAuthFailure); // the device with a bad key
                nextAuthFailure += 5 * 60_000;
            }
            logs.deliverDue(simNow);
        }
    }

    public long logRecordsEmitted() {
        return logs == null ? 0 : logs.emitted();
    }

    private void transition(int d) {
        if (!fleet.linkUp[d]) {
            connect(d);
        } else {
            drop(d, fleet.nextCause[d]);
        }
    }

    /** The device opens a connection: the hub logs it, and reports it once the device shows activity. */
    private void connect(int d) {
        Fleet f = fleet;
        f.linkUp[d] = true;
        f.linkSince[d] = simNow;
        if (logs != null) {
            logs.connected(f, d, simNow);
        }
        scheduleNextDrop(d); // the renewal clock runs from the connect: the token was minted for it
        long delay = firstMessageDelay(d);
        if (delay == 0) {
            activate(d);
        } else if (delay > 0) {
            heap.push(simNow + delay, EventHeap.ACTIVATE, d, f.generation[d]);
        } // else: the device never sends nor receives, so IoT Hub never reports this connection
    }

    /** IoT Hub starts reporting the connection: the device subscribed, or sent or received its first message. */
    private void activate(int d) {
        Fleet f = fleet;
        f.connected[d] = true;
        if (f.downSince[d] != 0) { // not the device's first connection that IoT Hub saw
            if (f.reported[d] == Fleet.REPORTED_DISCONNECTED) {
                // observers see this outage end only when a snapshot reports the device connected again
                f.truthOpen[d] = true;
                f.heldUp[d] = simNow;
            } else {
                truth(d, simNow, simNow);
            }
        }
        scheduleReport(d);
    }

    /** How long after connecting the device shows IoT Hub the activity that starts its events; -1 = never. */
    private long firstMessageDelay(int d) {
        return switch (fleet.firstMessage[d]) {
            case AT_ONCE -> 0;
            case WITHIN_SECONDS -> 500 + expMillis(4_000); // sends at start-up, or its handlers subscribe
            case HOURLY -> (long) (rnd.nextDouble() * 3600_000); // telemetry only, at its next reporting time
            case FOUR_HOURLY -> (long) (rnd.nextDouble() * 4 * 3600_000);
            default -> -1;
        };
    }

    private void drop(int d, byte cause) {
        Fleet f = fleet;
        f.linkUp[d] = false;
        if (logs != null) {
            logs.dropped(f, d, simNow, cause);
        }
        if (f.connected[d]) {
            f.connected[d] = false;
            if (f.truthOpen[d]) {
                // dropped again before the reconnect was reported: observers see one longer outage
                f.truthOpen[d] = false;
                f.mixedCauses[d] |= cause != f.downCause[d];
            } else {
                f.downSince[d] = simNow;
                f.downCause[d] = cause;
                f.mixedCauses[d] = false;
            }
            scheduleReport(d);
        } else if (f.downSince[d] != 0) {
            // a connection IoT Hub never reported (no message yet) ends: still the same outage to observers
            f.mixedCauses[d] |= cause != f.downCause[d];
        }
        f.generation[d]++; // cancels what was planned for this connection
        long gap = switch (cause) {
            case RENEWAL -> 3_000 + (long) (rnd.nextDouble() * 40_000);
            case FLAP -> 20_000 + (long) (rnd.nextDouble() * 130_000);
            case DUPLICATE -> 1_000 + (long) (rnd.nextDouble() * 9_000);
            case MASS -> 30_000 + (long) (rnd.nextDouble() * 450_000);
            case KEEPALIVE -> logUniformMillis(3, 3 * 3600); // whenever its network comes back
            default -> outageMillis();
        };
        heap.push(simNow + gap, EventHeap.TRANSITION, d);
    }

    /** Outage lengths from a few minutes to hours, most of them short. */
    private long outageMillis() {
        return logUniformMillis(4 * 60, 3 * 3600);
    }

    private long logUniformMillis(double minSeconds, double maxSeconds) {
        return (long) (Math.exp(Math.log(minSeconds) + rnd.nextDouble() * Math.log(maxSeconds / minSeconds)) * 1000);
    }

    /** The hub's keep-alive timeout for this device's connection: 1.5 × its client keep-alive, capped. */
    private long hubTimeoutMillis(int d) {
        return SdkProfile.hubKeepAliveTimeoutMillis(fleet.keepAliveSeconds[d]);
    }

    private void scheduleNextDrop(int d) {
        Fleet f = fleet;
        long renewal = f.renewalSeconds[d] > 0 ? simNow + f.renewalSeconds[d] * 1000L : Long.MAX_VALUE;
        long outage = simNow + expMillis(36 * 3600_000.0);
        long flap = f.behaviour[d] == FLAPPER ? simNow + expMillis(15 * 60_000.0)
                : simNow + expMillis(24 * 3600_000.0);
        long dup = f.behaviour[d] == DUPLICATE_PAIR ? simNow + expMillis(4 * 60_000.0) : Long.MAX_VALUE;
        // MQTT only: the network goes silent without a TCP close, and the hub notices at its keep-alive timeout
        long silence = f.keepAliveSeconds[d] == 0 ? Long.MAX_VALUE
                : simNow + expMillis(f.behaviour[d] == FLAKY_NETWORK ? FLAKY_SILENCE_MEAN_MILLIS : SILENCE_MEAN_MILLIS);
        long at = Math.min(Math.min(renewal, outage), Math.min(Math.min(flap, dup), silence));
        f.nextCause[d] = at == renewal ? RENEWAL : at == outage ? OUTAGE : at == dup ? DUPLICATE : at == silence ? KEEPALIVE : FLAP;
        // a silent device renews nothing: the hub drops it at the timeout after its last activity
        long dropAt = f.nextCause[d] == KEEPALIVE ? at + hubTimeoutMillis(d) : at;
        heap.push(dropAt, EventHeap.TRANSITION, d, f.generation[d]);
    }

    private void massDisconnect() {
        int hub = rnd.nextInt(hubNames.length);
        int count = 0;
        for (int d = 0; d < fleet.size; d++) {
            if (fleet.hub[d] == hub && fleet.linkUp[d]) {
                drop(d, MASS);
                count++;
            }
        }
        LOG.debug("Simulated regional mass disconnect on {}: {} devices", hubNames[hub], count);
        nextMassMillis = simNow + expMillis(MASS_MEAN_MILLIS);
    }

    /**
     * @param activeMillis   when the connection became reportable (the device's first activity on it)
     * @param snapshotMillis the snapshot that reported it
     */
    private void truth(int d, long activeMillis, long snapshotMillis) {
        Fleet f = fleet;
        // active within a snapshot of its connect: the outage ended at the connect the hub logged; otherwise (a .NET
        // or C device that sends rarely) IoT Hub's connection state said disconnected until the snapshot reported it
        long upMillis = activeMillis - f.linkSince[d] <= SNAPSHOT_MS ? f.linkSince[d] : snapshotMillis;
        long gap = upMillis - f.downSince[d];
        byte cause = f.downCause[d];
        String kind = gap > settings.reconnectGrace().toMillis() ? "genuine"
                : cause == RENEWAL && !f.mixedCauses[d] ? "token_renewal" : "transient";
        String causeName = switch (cause) {
            case RENEWAL -> "token_renewal";
            case FLAP -> "network_flap";
            case DUPLICATE -> "duplicate_identity";
            case MASS -> "regional_outage";
            case KEEPALIVE -> "keepalive_timeout";
            default -> "outage";
        };
        long lastHeard = cause == KEEPALIVE ? f.downSince[d] - hubTimeoutMillis(d) : f.downSince[d];
        DisconnectTruth t = new DisconnectTruth(hubNames[f.hub[d]], f.deviceId(d), f.moduleId(d), kind, causeName,
                SdkProfile.values()[f.sdk[d]].family(), lastHeard, f.downSince[d], f.linkSince[d], upMillis, f.visibleDown[d]);
        f.visibleDown[d] = false;
        for (Consumer<DisconnectTruth> l : truthListeners) {
            l.accept(t);
        }
    }

    /** IoT Hub samples connection state every 60 s: report at the device's next sampling point. */
    private void scheduleReport(int d) {
        if (fleet.reportScheduled[d]) {
            return;
        }
        long phase = fleet.phase[d];
        long k = Math.floorDiv(simNow - phase, SNAPSHOT_MS) + 1;
        heap.push(k * SNAPSHOT_MS + phase, EventHeap.REPORT, d);
        fleet.reportScheduled[d] = true;
    }

    private void report(int d) {
        Fleet f = fleet;
        f.reportScheduled[d] = false;
        byte state = f.connected[d] ? Fleet.REPORTED_CONNECTED : Fleet.REPORTED_DISCONNECTED;
        if (state == f.reported[d]) {
            return; // the change vanished inside one sampling window
        }
        f.reported[d] = state;
        if (state == Fleet.REPORTED_DISCONNECTED) {
            f.visibleDown[d] = true; // this outage shows in connection-state events
        } else if (f.truthOpen[d]) {
            f.truthOpen[d] = false;
            truth(d, f.heldUp[d], simNow);
        }
        f.sequence[d] += 1 + rnd.nextInt(4);
        pending.add(eventJson(d, state == Fleet.REPORTED_CONNECTED));
        if (rnd.nextInt(100) == 0) {
            pending.add(pending.get(pending.size() - 1)); // at-least-once delivery: a duplicate
        }
    }

    private String eventJson(int d, boolean connected) {
        Fleet f = fleet;
        String hub = hubNames[f.hub[d]];
        String module = f.moduleId(d);
        String seq = String.format("0000000000000000%016X00000002%024X", f.hubEpoch, f.sequence[d]);
        StringBuilder sb = new StringBuilder(560);
        sb.append("{\"id\":\"").append(new java.util.UUID(rnd.nextLong(), rnd.nextLong()))
                .append("\",\"topic\":\"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/SIMULATION/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/")
                .append(hub.toUpperCase(java.util.Locale.ROOT))
                .append("\",\"subject\":\"devices/").append(f.deviceId(d))
                .append("\",\"eventType\":\"Microsoft.Devices.Device").append(connected ? "Connected" : "Disconnected")
                .append("\",\"eventTime\":\"").append(Instant.ofEpochMilli(simNow))
                .append("\",\"data\":{\"deviceConnectionStateEventInfo\":{\"sequenceNumber\":\"").append(seq)
                .append("\"},\"hubName\":\"").append(hub).append("\",\"deviceId\":\"").append(f.deviceId(d)).append('"');
        if (!module.isEmpty()) {
            sb.append(",\"moduleId\":\"").append(module).append('"');
        }
        sb.append("},\"dataVersion\":\"1\",\"metadataVersion\":\"1\"}");
        return sb.toString();
    }

    /** Delivers pending events as Event Grid batches, shuffled: Event Grid does not preserve order. */
    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        java.util.Collections.shuffle(pending, rnd);
        for (int i = 0; i < pending.size(); i += DELIVERY_BATCH) {
            List<String> part = pending.subList(i, Math.min(pending.size(), i + DELIVERY_BATCH));
            StringBuilder body = new StringBuilder(part.size() * 560 + 2).append('[');
            for (int j = 0; j < part.size(); j++) {
                if (j > 0) {
                    body.append(',');
                }
                body.append(part.get(j));
            }
            body.append(']');
            emitted += part.size();
            sink.deliver(body.toString().getBytes(StandardCharsets.UTF_8));
        }
        pending.clear();
    }

    private long expMillis(double meanMillis) {
        return (long) (-Math.log(1 - rnd.nextDouble()) * meanMillis) + 1;
    }

    /** Per-device arrays: compact enough for millions of devices. */
    static final class Fleet {
        static final byte REPORTED_NONE = 0, REPORTED_CONNECTED = 1, REPORTED_DISCONNECTED = 2;
        final int size;
        final byte[] hub, sdk, behaviour, nextCause, downCause, reported, version, protocol, firstMessage;
        final short[] keepAliveSeconds; // 0: not MQTT
        final int[] renewalSeconds, phase, generation;
        /** linkUp: the device has a connection open; connected: one that IoT Hub reports (it showed activity). */
        final boolean[] linkUp, connected, reportScheduled, visibleDown, truthOpen, mixedCauses;
        final long[] heldUp;
        final long[] linkSince, downSince, sequence;
        final long hubEpoch;

        Fleet(int size, int hubs, Random rnd, long startMillis) {
            this.size = size;
            hub = new byte[size];
            sdk = new byte[size];
            behaviour = new byte[size];
            nextCause = new byte[size];
            downCause = new byte[size];
            reported = new byte[size];
            version = new byte[size];
            protocol = new byte[size];
            firstMessage = new byte[size];
            keepAliveSeconds = new short[size];
            renewalSeconds = new int[size];
            phase = new int[size];
            generation = new int[size];
            linkUp = new boolean[size];
            connected = new boolean[size];
            reportScheduled = new boolean[size];
            visibleDown = new boolean[size];
            truthOpen = new boolean[size];
            mixedCauses = new boolean[size];
            heldUp = new long[size];
            linkSince = new long[size];
            downSince = new long[size];
            sequence = new long[size];
            // led by the start time (seconds), not only the seed: a simulator restarted on the same state.dir must win
            // over what the last run stored (sequence numbers only grow), as a real hub's counters do
            hubEpoch = 0x01DA000000000000L | ((startMillis / 1000) << 16) | (rnd.nextLong() & 0xFFFFL);
            for (int d = 0; d < size; d++) {
                hub[d] = (byte) (d % hubs);
                SdkProfile p = SdkProfile.pick(rnd);
                sdk[d] = (byte) p.ordinal();
                version[d] = (byte) rnd.nextInt(p.versions().length);
                int pr = rnd.nextInt(100);
                protocol[d] = (byte) (p == SdkProfile.C ? (pr < 30 ? 0 : 2) : pr < 80 ? 0 : 1); // most C devices here use AMQP
                boolean amqp = protocol[d] == 2;
                int r = rnd.nextInt(1000);
                behaviour[d] = r < 20 ? HTTPS_ONLY : r < 40 ? FLAPPER : r < 70 && !amqp ? FLAKY_NETWORK : NORMAL;
                if (!amqp) {
                    int k = rnd.nextInt(40);
                    // one in forty raised or lowered its keep-alive; 1200 s shows the hub's cap (1767 s, not 1800)
                    keepAliveSeconds[d] = (short) (k == 0 ? 120 : k == 1 ? 1200 : p.keepAliveSeconds());
                }
                firstMessage[d] = p.eventsAfterFirstMessage() ? firstMessageHabit(rnd.nextInt(100)) : AT_ONCE;
                int renewal = p.renewalSeconds(amqp);
                if (renewal > 0 && rnd.nextInt(10) == 0) {
                    renewal = new int[]{30 * 60, 2 * 3600, 24 * 3600}[rnd.nextInt(3)]; // non-default token lifetime
                }
                renewalSeconds[d] = renewal;
                phase[d] = rnd.nextInt((int) SNAPSHOT_MS);
                sequence[d] = 1 + rnd.nextInt(1000);
            }
            if (size >= 4) {
                behaviour[size - 1] = DUPLICATE_PAIR; // two processes share this identity
                behaviour[size - 2] = BAD_KEY;        // a device configured with a wrong key
            }
        }

        /**
         * Most .NET and C devices show activity within seconds (they send at start-up, or subscribe for methods,
         * twin or C2D); a few only send telemetry, hourly or every four hours, and a few never send at all.
         */
        private static byte firstMessageHabit(int percent) {
            return percent < 94 ? WITHIN_SECONDS : percent < 96 ? HOURLY : percent < 98 ? FOUR_HOURLY : NEVER;
        }

        String deviceId(int d) {
            String prefix = switch (SdkProfile.values()[sdk[d]]) {
                case DOTNET -> "meter";
                case JAVA -> "gateway";
                case NODE -> "kiosk";
                case PYTHON -> "sensor";
                case C -> "plc";
                case EMBEDDED_C -> "tracker";
            };
            return String.format("%s-%07d", prefix, d);
        }

        String protocol(int d) {
            return switch (protocol[d]) {
                case 1 -> "MqttWs";
                case 2 -> "Amqp";
                default -> "Mqtt";
            };
        }

        /** Every 50th device is an IoT Edge module identity. */
        String moduleId(int d) {
            return d % 50 == 49 ? "telemetry" : "";
        }
    }
}
