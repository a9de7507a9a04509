package io.github.iothubexporter.grafana;

import io.github.iothubexporter.state.DeviceFields;
import io.github.iothubexporter.state.StateWriter;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Device IDs by prefix, for dashboard variables. The device table has no index by ID, so this walks it, on the
 * state writer thread (the only thread that may read it) and in short steps of {@link #PAGES_PER_STEP} table pages
 * (about 7,000 identities each), each a separate task in the writer's queue: events keep flowing between steps
 * instead of waiting for a walk over a million identities. Answers are cached for {@link #TTL_NANOS}, and concurrent
 * requests for the same list share one walk.
 */
final class DeviceSearch {
    static final int PAGES_PER_STEP = 8;
    static final long TTL_NANOS = 10_000_000_000L;
    private static final int MAX_CACHED = 256;

    private record Key(String hub, String prefix, int limit) {
    }

    private record Cached(long createdNanos, CompletableFuture<List<String>> result) {
    }

    private final StateWriter writer;
    private final int pagesPerStep;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();
    /** Steps the last finished walk took (for tests). */
    volatile int lastSteps;

    DeviceSearch(StateWriter writer) {
        this(writer, PAGES_PER_STEP);
    }

    DeviceSearch(StateWriter writer, int pagesPerStep) {
        this.writer = writer;
        this.pagesPerStep = pagesPerStep;
    }

    /**
     * The {@code limit} smallest distinct device IDs starting with {@code prefix}, sorted; {@code hub} (lower-case) or
     * null for every hub.
     */
    CompletableFuture<List<String>> devices(String hub, String prefix, int limit) {
        Key key = new Key(hub, prefix, limit);
        long now = System.nanoTime();
        Cached c = cache.get(key);
        if (c != null && now - c.createdNanos() < TTL_NANOS && !c.result().isCompletedExceptionally()) {
            return c.result();
        }
        if (cache.size() >= MAX_CACHED) {
            cache.entrySet().removeIf(e -> now - e.getValue().createdNanos() >= TTL_NANOS);
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
        }
        Walk walk = new Walk(hub, prefix, limit);
        CompletableFuture<List<String>> result = step(walk);
        cache.put(key, new Cached(now, result));
        return result;
    }

    private CompletableFuture<List<String>> step(Walk walk) {
        // the continuation runs on the writer thread that completed the step; it only queues the next step
        return writer.read(store -> walk.step(store, pagesPerStep)).thenCompose(next -> {
            if (next >= 0) {
                return step(walk);
            }
            lastSteps = walk.steps;
            return CompletableFuture.completedFuture(List.copyOf(walk.best));
        });
    }

    /** One walk's progress; touched only by the steps, which run one after another on the writer thread. */
    private static final class Walk {
        final String hub;
        final String prefix;
        final int limit;
        final TreeSet<String> best = new TreeSet<>();
        int nextPage;
        int steps;

        Walk(String hub, String prefix, int limit) {
            this.hub = hub;
            this.prefix = prefix;
            this.limit = limit;
        }

        int step(io.github.iothubexporter.state.StateStore store, int pages) {
            steps++;
            DeviceFields f = store.fields();
            int hubIndex = -1;
            if (hub != null) {
                for (int h = 0; h < f.hubCount(); h++) {
                    if (f.hubName(h).equals(hub)) {
                        hubIndex = h;
                    }
                }
                if (hubIndex < 0) {
                    return -1;
                }
            }
            int wanted = hubIndex;
            nextPage = f.forEachInPages(nextPage, pages, addr -> {
                if ((wanted < 0 || f.hub(addr) == wanted) && f.deviceIdStartsWith(addr, prefix)
                        && (best.size() < limit || f.compareDeviceId(addr, best.last()) < 0)) {
                    best.add(f.deviceId(addr));
                    if (best.size() > limit) {
                        best.pollLast();
                    }
                }
            });
            return nextPage;
        }
    }
}
