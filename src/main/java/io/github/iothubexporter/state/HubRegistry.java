package io.github.iothubexporter.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hub name ↔ small index. Bounded, because the hub becomes a metric label and hub names come from input.
 * Written by the state writer only; readers get {@link #names()}, a copy published on every change.
 */
final class HubRegistry {
    private final int max;
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private volatile String[] published = new String[0];

    HubRegistry(int max) {
        this.max = max;
    }

    /** Index of a lower-case hub name, registering it; -1 when the limit is reached. */
    int indexOf(String hub) {
        Integer i = index.get(hub);
        if (i != null) {
            return i;
        }
        if (names.size() >= max) {
            return -1;
        }
        int n = names.size();
        names.add(hub);
        index.put(hub, n);
        published = names.toArray(new String[0]);
        return n;
    }

    /** Index of a known hub, or -1; never registers. */
    int find(String hub) {
        Integer i = index.get(hub);
        return i == null ? -1 : i;
    }

    String name(int i) {
        return names.get(i);
    }

    int size() {
        return names.size();
    }

    /** Safe to call from any thread. */
    String[] names() {
        return published;
    }

    List<String> list() {
        return List.copyOf(names);
    }
}
