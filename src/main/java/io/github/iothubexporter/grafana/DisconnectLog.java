package io.github.iothubexporter.grafana;

import io.github.iothubexporter.classify.ClassificationListener;
import io.github.iothubexporter.classify.Decision;
import io.github.iothubexporter.classify.DisconnectKind;
import io.github.iothubexporter.classify.SdkFamily;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

/**
 * The classifier's decisions, kept per device for the Grafana backend: the devices offline now (each genuine outage
 * that has not ended: the {@code iothub_devices_offline} gauge, device by device) and the most recent decisions of
 * each kind (ended outages, transient drops, token renewals).
 *
 * <p>Maintained incrementally from the classifier's transitions (it is a {@link ClassificationListener}), so a query
 * never scans the device table. Written only on the state writer thread; read from any thread: the collections are
 * concurrent and hold immutable entries, so a reader sees whole entries, iterates without locks, and never holds up
 * the writer. Memory: one entry (about 150 bytes) per offline device, plus {@code ringCapacity} entries per kind.
 */
public final class DisconnectLog implements ClassificationListener {
    /** Most recent decisions kept per kind. */
    public static final int DEFAULT_RING_CAPACITY = 10_000;

    /**
     * One disconnect. {@code reconnectMillis} is -1 while the device is still offline.
     */
    public record Disconnect(String hub, String deviceId, String moduleId, DisconnectKind kind, long disconnectMillis,
                             long reconnectMillis, SdkFamily sdk, String sdkVersion) {
        /** Device ID, or deviceId/moduleId for a module identity (the {@code device} label of critical metrics). */
        public String label() {
            return moduleId.isEmpty() ? deviceId : deviceId + "/" + moduleId;
        }

        public boolean ongoing() {
            return reconnectMillis < 0;
        }

        static Disconnect of(Decision d) {
            return new Disconnect(d.hub(), d.deviceId(), d.moduleId(), d.kind(), d.disconnectMillis(), d.reconnectMillis(),
                    d.sdk(), d.sdkVersion());
        }
    }

    /** Oldest outage first; the identity breaks ties, so every offline device has its own place. */
    static final Comparator<Disconnect> OLDEST_FIRST = Comparator.comparingLong(Disconnect::disconnectMillis)
            .thenComparing(Disconnect::deviceId).thenComparing(Disconnect::moduleId);

    private static final class HubOffline {
        final ConcurrentSkipListSet<Disconnect> devices = new ConcurrentSkipListSet<>(OLDEST_FIRST);
        volatile int count; // written by the writer thread only
    }

    /** Bounded, newest last; appended and trimmed by the writer thread only. */
    private static final class Ring {
        final ConcurrentLinkedDeque<Disconnect> items = new ConcurrentLinkedDeque<>();
        final int capacity;
        int size;

        Ring(int capacity) {
            this.capacity = capacity;
        }

        void add(Disconnect d) {
            items.addLast(d);
            if (++size > capacity) {
                items.pollFirst();
                size--;
            }
        }

        void clear() {
            items.clear();
            size = 0;
        }
    }

    private final Map<String, HubOffline> offline = new ConcurrentHashMap<>();
    private final Ring[] recent = new Ring[DisconnectKind.values().length];

    public DisconnectLog() {
        this(DEFAULT_RING_CAPACITY);
    }

    public DisconnectLog(int ringCapacity) {
        for (int i = 0; i < recent.length; i++) {
            recent[i] = new Ring(ringCapacity);
        }
    }

    // ---- writer side (ClassificationListener, state writer thread) -------------------------------------------------

    @Override
    public void classified(Decision d) {
        if (d.kind() == DisconnectKind.GENUINE && d.reconnectMillis() < 0) {
            addOffline(Disconnect.of(d)); // the grace window ran out: offline from now on
        } else {
            recent[d.kind().ordinal()].add(Disconnect.of(d));
        }
    }

    @Override
    public void outageEnded(Decision d) {
        Disconnect ended = Disconnect.of(d);
        HubOffline h = offline.get(d.hub());
        if (h != null && h.devices.remove(new Disconnect(d.hub(), d.deviceId(), d.moduleId(), DisconnectKind.GENUINE,
                d.disconnectMillis(), -1, d.sdk(), d.sdkVersion()))) {
            h.count = h.count - 1;
        }
        recent[DisconnectKind.GENUINE.ordinal()].add(ended);
    }

    @Override
    public void restoring() {
        offline.clear();
        for (Ring r : recent) {
            r.clear();
        }
    }

    @Override
    public void offlineRestored(Decision d) {
        addOffline(Disconnect.of(d));
    }

    private void addOffline(Disconnect d) {
        HubOffline h = offline.computeIfAbsent(d.hub(), k -> new HubOffline());
        if (h.devices.add(d)) {
            h.count = h.count + 1;
        }
    }

    // ---- reader side (any thread) ----------------------------------------------------------------------------------

    /** The devices offline now on the hubs {@code hubs} accepts, and how many there are in all. */
    public record OfflinePage(List<Disconnect> devices, long total) {
    }

    /**
     * The {@code limit} oldest outages among the devices offline now, oldest first. Without a {@code filter}
     * (null) this costs O(limit × log hubs) and the total comes from per-hub counts; with one, every offline device of
     * the selected hubs is looked at once.
     */
    public OfflinePage offline(Predicate<String> hubs, Predicate<Disconnect> filter, int limit) {
        List<Iterator<Disconnect>> sources = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, HubOffline> e : offline.entrySet()) {
            if (hubs.test(e.getKey())) {
                sources.add(e.getValue().devices.iterator());
                total += e.getValue().count;
            }
        }
        List<Disconnect> out = new ArrayList<>(Math.min(limit, 1024));
        long matched = 0;
        PriorityQueue<Head> heads = new PriorityQueue<>(Math.max(1, sources.size()), (a, b) -> OLDEST_FIRST.compare(a.item, b.item));
        for (Iterator<Disconnect> it : sources) {
            if (it.hasNext()) {
                heads.add(new Head(it.next(), it));
            }
        }
        while (!heads.isEmpty()) {
            Head h = heads.poll();
            if (filter == null || filter.test(h.item)) {
                matched++;
                if (out.size() < limit) {
                    out.add(h.item);
                } else if (filter == null) {
                    break;
                }
            }
            if (h.rest.hasNext()) {
                heads.add(new Head(h.rest.next(), h.rest));
            }
        }
        return new OfflinePage(out, filter == null ? Math.max(total, out.size()) : matched);
    }

    private record Head(Disconnect item, Iterator<Disconnect> rest) {
    }

    /** How many devices of {@code hub} are offline now. */
    public long offlineCount(String hub) {
        HubOffline h = offline.get(hub);
        return h == null ? 0 : h.count;
    }

    /**
     * The most recent disconnects of the given kinds that overlap {@code [fromMillis, toMillis]} (an ongoing outage
     * overlaps every range that ends after it began), newest first, at most {@code limit}. Ongoing outages of the
     * selected hubs come from the offline set, the rest from the bounded per-kind history.
     */
    public List<Disconnect> recent(List<DisconnectKind> kinds, long fromMillis, long toMillis, Predicate<String> hubs,
                                   Predicate<Disconnect> filter, int limit) {
        List<Disconnect> out = new ArrayList<>();
        for (DisconnectKind kind : kinds) {
            Iterator<Disconnect> it = recent[kind.ordinal()].items.descendingIterator();
            while (it.hasNext()) {
                Disconnect d = it.next();
                if (d.disconnectMillis() <= toMillis && d.reconnectMillis() >= fromMillis && hubs.test(d.hub())
                        && (filter == null || filter.test(d))) {
                    out.add(d);
                }
            }
            if (kind == DisconnectKind.GENUINE) {
                Disconnect probe = new Disconnect("", "\uffff", "\uffff", DisconnectKind.GENUINE, toMillis, -1, SdkFamily.UNKNOWN, "");
                for (Map.Entry<String, HubOffline> e : offline.entrySet()) {
                    if (!hubs.test(e.getKey())) {
                        continue;
                    }
                    int fromHub = 0;
                    // newest first among those that began by toMillis
                    for (Disconnect d : e.getValue().devices.headSet(probe, true).descendingSet()) {
                        if (filter == null || filter.test(d)) {
                            out.add(d);
                            if (++fromHub >= limit) {
                                break;
                            }
                        }
                    }
                }
            }
        }
        out.sort(Comparator.comparingLong(Disconnect::disconnectMillis).reversed()
                .thenComparing(Disconnect::hub).thenComparing(Disconnect::deviceId).thenComparing(Disconnect::moduleId));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }
}
