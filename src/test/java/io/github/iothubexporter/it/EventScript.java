package io.github.iothubexporter.it;

import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A deterministic stream of IoT Hub DeviceConnected/DeviceDisconnected events in the Event Grid schema
 * (shared/reference/iothub-facts.md §1.1), cut into webhook batches, plus the state it should produce.
 *
 * <p>What it exercises: several hubs whose names arrive in mixed case, module identities (including the
 * {@code $edgeAgent}/{@code $edgeHub} system modules), {@code moduleId} absent or {@code ""} for plain devices,
 * device IDs with characters that need escaping in a URL, sequence numbers that cross 64-bit word boundaries and
 * the sign bit of a word, events shuffled out of order across batches, and at-least-once redeliveries.
 */
final class EventScript {
    static final String SUBSCRIPTION = "9f8e7d6c-5b4a-3210-fedc-ba9876543210";
    /** Critical-device patterns matching {@link #isCritical}: a device, a module identity, a hub-qualified glob. */
    static final String CRITICAL_DEVICES = "crit-dev,gateway-01/$edgeHub,GAMMA/dev-000?";
    private static final Pattern GAMMA_CRITICAL = Pattern.compile("dev-000.");
    private static final DateTimeFormatter Z7 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter OFFSET7 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'+00:00'")
            .withZone(ZoneOffset.UTC);

    /** hub (lower case, as exported) · deviceId · moduleId ("" for a device identity). */
    record Identity(String hub, String deviceId, String moduleId) {
        String label() {
            return moduleId.isEmpty() ? deviceId : deviceId + "/" + moduleId;
        }

        @Override
        public String toString() {
            return hub + "/" + label();
        }
    }

    /** One event as sent. {@code moduleField}: null = field absent. */
    record Event(Identity id, String hubSpelling, String moduleField, boolean connected, BigInteger seq, String seqText,
                 Instant time, String timeText, String eventId) {
        String json() {
            StringBuilder sb = new StringBuilder(420);
            sb.append("{\"id\":\"").append(eventId)
                    .append("\",\"topic\":\"/SUBSCRIPTIONS/").append(SUBSCRIPTION.toUpperCase(Locale.ROOT))
                    .append("/RESOURCEGROUPS/RG-IOT-PROD/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/")
                    .append(hubSpelling.toUpperCase(Locale.ROOT))
                    .append("\",\"subject\":\"devices/").append(jsonEscape(id.deviceId()))
                    .append(id.moduleId().isEmpty() ? "" : "/modules/" + jsonEscape(id.moduleId()))
                    .append("\",\"eventType\":\"Microsoft.Devices.Device").append(connected ? "Connected" : "Disconnected")
                    .append("\",\"eventTime\":\"").append(timeText)
                    .append("\",\"data\":{\"deviceConnectionStateEventInfo\":{\"sequenceNumber\":\"").append(seqText)
                    .append("\"},\"hubName\":\"").append(hubSpelling)
                    .append("\",\"deviceId\":\"").append(jsonEscape(id.deviceId())).append('"');
            if (moduleField != null) {
                sb.append(",\"moduleId\":\"").append(jsonEscape(moduleField)).append('"');
            }
            return sb.append("},\"dataVersion\":\"1\",\"metadataVersion\":\"1\"}").toString();
        }

        String seqHexUpper() {
            return String.format("%064X", seq);
        }
    }

    /** One webhook delivery. */
    record Batch(int index, List<Event> events) {
        String body() {
            StringBuilder sb = new StringBuilder(events.size() * 440).append('[');
            for (int i = 0; i < events.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(events.get(i).json());
            }
            return sb.append(']').toString();
        }
    }

    private final List<Identity> identities;
    private final List<Event> events;
    private final List<Batch> batches;

    private EventScript(List<Identity> identities, List<Event> events, List<Batch> batches) {
        this.identities = identities;
        this.events = events;
        this.batches = batches;
    }

    List<Identity> identities() {
        return identities;
    }

    List<Event> events() {
        return events;
    }

    List<Batch> batches() {
        return batches;
    }

    /**
     * @param devicesPerHub   plain devices "dev-NNNN" per hub (every 10th also gets a "telemetry" module)
     * @param maxEventsPerId  each identity gets 1..max events
     * @param batchSize       events per webhook delivery
     */
    static EventScript generate(long seed, int devicesPerHub, int maxEventsPerId, int batchSize) {
        Random rnd = new Random(seed);
        Map<String, String[]> hubs = new LinkedHashMap<>();
        hubs.put("alpha-hub", new String[]{"Alpha-Hub", "ALPHA-HUB", "alpha-hub", "alpha-HUB"});
        hubs.put("beta-hub", new String[]{"beta-hub", "Beta-Hub", "BETA-HUB"});
        hubs.put("gamma", new String[]{"Gamma", "GAMMA", "gamma"});

        List<Identity> ids = new ArrayList<>();
        for (String hub : hubs.keySet()) {
            for (int d = 0; d < devicesPerHub; d++) {
                String dev = String.format("dev-%04d", d);
                ids.add(new Identity(hub, dev, ""));
                if (d % 10 == 3) {
                    ids.add(new Identity(hub, dev, "telemetry"));
                }
            }
        }
        ids.add(new Identity("alpha-hub", "crit-dev", ""));
        ids.add(new Identity("alpha-hub", "gateway-01", ""));
        ids.add(new Identity("alpha-hub", "gateway-01", "$edgeAgent"));
        ids.add(new Identity("alpha-hub", "gateway-01", "$edgeHub"));
        ids.add(new Identity("beta-hub", "meter:7.a+b%41#x?y", ""));          // needs percent-encoding in a URL path
        ids.add(new Identity("beta-hub", "plant(3)=line@site$'!*,-_", "")); // the rest of IoT Hub's allowed set
        ids.add(new Identity("gamma", "edge-gw", "module.with-dots"));
        // IoT Hub's maximum ID length (128) for both parts of a module identity.
        ids.add(new Identity("gamma", "long-" + "d".repeat(123), "m".repeat(128)));
        ids.add(new Identity("beta-hub", "L".repeat(128), ""));

        List<Event> all = new ArrayList<>();
        Instant base = Instant.parse("2025-03-01T08:00:00Z");
        for (int i = 0; i < ids.size(); i++) {
            Identity id = ids.get(i);
            String[] spellings = hubs.get(id.hub());
            int n = 1 + rnd.nextInt(maxEventsPerId);
            BigInteger seq = initialSequence(rnd, i);
            Instant t = base.plusSeconds(rnd.nextInt(3600)).plusNanos(rnd.nextInt(10_000_000) * 100L);
            boolean connected = rnd.nextInt(4) != 0;
            for (int k = 0; k < n; k++) {
                if (k > 0) {
                    seq = seq.add(step(rnd));
                    t = t.plusSeconds(1 + rnd.nextInt(7200)).plusNanos(rnd.nextInt(10_000_000) * 100L);
                    connected = rnd.nextInt(5) == 0 ? connected : !connected; // mostly alternating, sometimes a repeat
                }
                String seqText = String.format("%064X", seq);
                if (rnd.nextInt(8) == 0) {
                    seqText = seqText.toLowerCase(Locale.ROOT);
                }
                String timeText = rnd.nextInt(3) == 0 ? OFFSET7.format(t) : Z7.format(t);
                String moduleField = !id.moduleId().isEmpty() ? id.moduleId() : rnd.nextInt(3) == 0 ? "" : null;
                all.add(new Event(id, spellings[rnd.nextInt(spellings.length)], moduleField, connected, seq, seqText, t,
                        timeText, new UUID(rnd.nextLong(), rnd.nextLong()).toString()));
            }
        }
        Collections.shuffle(all, rnd);
        // Event Grid delivers at least once: about 3 % of the events arrive a second time, later in the stream.
        int redeliveries = all.size() * 3 / 100;
        for (int r = 0; r < redeliveries; r++) {
            int from = rnd.nextInt(all.size());
            int to = from + rnd.nextInt(all.size() - from) + 1;
            all.add(Math.min(to, all.size()), all.get(from));
        }
        List<Batch> batches = new ArrayList<>();
        for (int from = 0, b = 0; from < all.size(); from += batchSize, b++) {
            batches.add(new Batch(b, List.copyOf(all.subList(from, Math.min(all.size(), from + batchSize)))));
        }
        return new EventScript(List.copyOf(ids), List.copyOf(all), List.copyOf(batches));
    }

    /**
     * 64 hex digits shaped like IoT Hub's ([16 zero][16 FILETIME-like][8][24 counter]); some identities start
     * just below the sign bit of the last 64-bit word, or of the third, so ordering must be unsigned.
     */
    private static BigInteger initialSequence(Random rnd, int i) {
        BigInteger filetime = BigInteger.valueOf(0x01D4132452F67CE2L + rnd.nextInt(1 << 20));
        BigInteger mid = BigInteger.valueOf(2 + rnd.nextInt(3));
        BigInteger counter;
        switch (i % 5) {
            case 0 -> counter = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.valueOf(1 + rnd.nextInt(2000)));
            case 1 -> counter = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.valueOf(1 + rnd.nextInt(2000)));
            default -> counter = BigInteger.valueOf(1 + rnd.nextInt(1000));
        }
        return filetime.shiftLeft(128).or(mid.shiftLeft(96)).add(counter);
    }

    private static BigInteger step(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> BigInteger.ONE.shiftLeft(64 + rnd.nextInt(8));   // carries into the upper words
            case 1 -> BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(rnd.nextInt(1000)));
            default -> BigInteger.valueOf(1 + rnd.nextInt(500));
        };
    }

    /** Whether {@link #CRITICAL_DEVICES} selects this identity. */
    static boolean isCritical(Identity id) {
        return id.deviceId().equals("crit-dev") && id.moduleId().isEmpty()
                || id.deviceId().equals("gateway-01") && id.moduleId().equals("$edgeHub")
                || id.hub().equals("gamma") && id.moduleId().isEmpty() && GAMMA_CRITICAL.matcher(id.deviceId()).matches();
    }

    /** Per identity, the event with the highest sequence number: the state these events must produce. */
    static Map<Identity, Event> latest(Collection<Event> events) {
        Map<Identity, Event> out = new HashMap<>();
        for (Event e : events) {
            out.merge(e.id(), e, (a, b) -> a.seq().compareTo(b.seq()) >= 0 ? a : b);
        }
        return out;
    }

    /**
     * Event time of each identity's last connection-state change. IoT Hub reports a state again (with a new
     * sequence number) only when it changed in between, so every applied event is a change: this is the time
     * of the identity's highest-sequence event, whatever order the events were applied in.
     */
    static Map<Identity, Long> changedMillis(List<Event> inOrder) {
        Map<Identity, Long> changed = new HashMap<>();
        latest(inOrder).forEach((id, e) -> changed.put(id, e.time().toEpochMilli()));
        return changed;
    }

    /** Expected critical state-changed timestamps (seconds) for events applied in the given order. */
    static Map<String, Double> expectedCriticalChanged(List<Event> inOrder, java.util.function.Predicate<Identity> critical) {
        Map<String, Double> out = new java.util.TreeMap<>();
        changedMillis(inOrder).forEach((id, millis) -> {
            if (critical.test(id)) {
                out.put("iothub_critical_device_state_changed_timestamp_seconds{device=\"" + id.label() + "\",hub=\"" + id.hub()
                        + "\",}", millis / 1000.0);
            }
        });
        return out;
    }

    /** The events of some batches. */
    static List<Event> eventsOf(Collection<Batch> batches) {
        List<Event> out = new ArrayList<>();
        for (Batch b : batches) {
            out.addAll(b.events());
        }
        return out;
    }

    /** Expected gauge values for the given final state: "iothub_devices_connected{hub=...,}" → value. */
    static Map<String, Double> expectedGauges(Map<Identity, Event> state) {
        Map<String, long[]> perHub = new LinkedHashMap<>();
        for (Map.Entry<Identity, Event> e : state.entrySet()) {
            long[] c = perHub.computeIfAbsent(e.getKey().hub(), h -> new long[2]);
            c[1]++;
            if (e.getValue().connected()) {
                c[0]++;
            }
        }
        Map<String, Double> out = new java.util.TreeMap<>();
        perHub.forEach((hub, c) -> {
            out.put("iothub_devices_connected{hub=\"" + hub + "\",}", (double) c[0]);
            out.put("iothub_devices_tracked{hub=\"" + hub + "\",}", (double) c[1]);
        });
        return out;
    }

    /** Expected critical series keys with their connected value. */
    static Map<String, Double> expectedCriticalConnected(Map<Identity, Event> state) {
        return expectedCriticalConnected(state, EventScript::isCritical);
    }

    /** Expected critical series keys with their connected value, for another critical-device configuration. */
    static Map<String, Double> expectedCriticalConnected(Map<Identity, Event> state, java.util.function.Predicate<Identity> critical) {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Map.Entry<Identity, Event> e : state.entrySet()) {
            if (critical.test(e.getKey())) {
                out.put("iothub_critical_device_connected{device=\"" + e.getKey().label() + "\",hub=\"" + e.getKey().hub() + "\",}",
                        e.getValue().connected() ? 1.0 : 0.0);
            }
        }
        return out;
    }

    static Set<Identity> identitiesOf(Collection<Event> events) {
        Set<Identity> out = new LinkedHashSet<>();
        events.forEach(e -> out.add(e.id()));
        return out;
    }

    private static String jsonEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
