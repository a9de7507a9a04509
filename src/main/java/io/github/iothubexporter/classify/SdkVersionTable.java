package io.github.iothubexporter.classify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SDK version strings ↔ small indices stored per device. Bounded: the version becomes a metric label, so
 * past {@link #MAX} distinct versions new ones share the index of "other". Index 0 is the unknown version "".
 */
public final class SdkVersionTable {
    public static final int MAX = 512;
    public static final int UNKNOWN = 0;
    public static final int OTHER = 1;
    private final List<String> names = new ArrayList<>(List.of("", "other"));
    private final Map<String, Integer> index = new HashMap<>(Map.of("", 0, "other", 1));
    private volatile String[] published = names.toArray(new String[0]);

    public synchronized int intern(String version) {
        Integer i = index.get(version);
        if (i != null) {
            return i;
        }
        if (names.size() >= MAX) {
            return OTHER;
        }
        names.add(version);
        index.put(version, names.size() - 1);
        published = names.toArray(new String[0]);
        return names.size() - 1;
    }

    /** Restores the table (indices included) from {@link #list()}'s order. */
    public synchronized void replaceAll(List<String> list) {
        names.clear();
        index.clear();
        for (String v : list) {
            index.putIfAbsent(v, names.size());
            names.add(v);
        }
        if (names.size() < 2) {
            names.clear();
            index.clear();
            names.addAll(List.of("", "other"));
            index.put("", 0);
            index.put("other", 1);
        }
        published = names.toArray(new String[0]);
    }

    public String name(int i) {
        String[] p = published;
        return i >= 0 && i < p.length ? p[i] : "other";
    }

    public List<String> list() {
        return List.of(published);
    }
}
