package io.github.iothubexporter.logs;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each device identity's latest SDK profile (hub, SDK family, version label, protocol), for
 * {@code iothub_devices_by_sdk} and for attributing error records that carry no {@code sdkVersion}.
 * <p>
 * Memory is bounded and compact: an open-addressing table holds, per identity, only a 64-bit hash of
 * (hub, deviceId, moduleId), an int profile id and the record time in seconds: 16 bytes a slot, at most
 * 75 % full, so about 21-32 bytes per identity (32 MB for a million). Identities are not stored, so two
 * identities whose hashes collide (odds about n²/2⁶⁵: 3·10⁻⁸ for a million devices) share one entry.
 * Beyond {@code maxDevices} identities new ones are not remembered (counted in {@link #dropped()}).
 * Profiles are few (their label values are capped), so per-profile device counts are kept incrementally
 * and a scrape costs nothing per device. Not thread-safe: {@link LogMetrics} serializes access.
 */
final class DeviceSdkMap {
    static final int NONE = -1;
    private static final int FORMAT = 1;
    private static final int MAGIC = 0x53444b4d; // "SDKM"
    private static final long EPOCH_2020_SECONDS = 1_577_836_800L;

    /** The labels of one {@code iothub_devices_by_sdk} series. */
    record Profile(String hub, String sdk, String sdkVersion, String protocol) {
    }

    private final int maxDevices;
    private long[] keys;
    private int[] profiles;
    private int[] times;
    private int size;
    private long dropped;
    private final List<Profile> profileTable = new ArrayList<>();
    private final Map<Profile, Integer> profileIds = new HashMap<>();
    private int[] counts = new int[16];

    DeviceSdkMap(int maxDevices) {
        this.maxDevices = maxDevices;
        allocate(1024);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        profiles = new int[capacity];
        times = new int[capacity];
    }

    int profileId(Profile p) {
        Integer id = profileIds.get(p);
        if (id == null) {
            id = profileTable.size();
            profileTable.add(p);
            profileIds.put(p, id);
            if (id >= counts.length) {
                counts = java.util.Arrays.copyOf(counts, counts.length * 2);
            }
        }
        return id;
    }

    Profile profile(int id) {
        return profileTable.get(id);
    }

    int profileCount() {
        return profileTable.size();
    }

    /** Devices whose latest profile is {@code id}. */
    int devices(int id) {
        return counts[id];
    }

    int size() {
        return size;
    }

    long dropped() {
        return dropped;
    }

    /** The identity's profile, or {@link #NONE}. */
    int get(long identity) {
        int slot = find(identity);
        return slot < 0 ? NONE : profiles[slot];
    }

    /**
     * Records that the identity used {@code profile} at {@code timeMillis}, unless a later record already said
     * otherwise (records arrive out of order). Returns true when the map changed.
     */
    boolean update(long identity, int profile, long timeMillis) {
        int t = seconds(timeMillis);
        int slot = find(identity);
        if (slot >= 0) {
            if (t < times[slot]) {
                return false;
            }
            int old = profiles[slot];
            times[slot] = t;
            if (old == profile) {
                return false;
            }
            counts[old]--;
            profiles[slot] = profile;
            counts[profile]++;
            return true;
        }
        if (size >= maxDevices) {
            dropped++;
            return false;
        }
        if ((size + 1) * 4L > keys.length * 3L) {
            grow();
        }
        insert(identity, profile, t);
        counts[profile]++;
        return true;
    }

    private void insert(long identity, int profile, int time) {
        int mask = keys.length - 1;
        int i = (int) mix(identity) & mask;
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = identity;
        profiles[i] = profile;
        times[i] = time;
        size++;
    }

    private int find(long identity) {
        int mask = keys.length - 1;
        int i = (int) mix(identity) & mask;
        while (true) {
            long k = keys[i];
            if (k == identity) {
                return i;
            }
            if (k == 0) {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldProfiles = profiles;
        int[] oldTimes = times;
        allocate(oldKeys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                insert(oldKeys[i], oldProfiles[i], oldTimes[i]);
            }
        }
    }

    private static int seconds(long millis) {
        long s = millis / 1000 - EPOCH_2020_SECONDS;
        return (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, s));
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** 64-bit hash of an identity (never 0, which marks an empty slot). */
    static long identity(String hub, String deviceId, String moduleId) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, hub);
        h = (h ^ 0x1f) * 0x100000001b3L;
        h = fnv(h, deviceId);
        h = (h ^ 0x1f) * 0x100000001b3L;
        h = fnv(h, moduleId);
        h ^= h >>> 29;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 32;
        return h == 0 ? 1 : h;
    }

    private static long fnv(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeInt(profileTable.size());
        for (Profile p : profileTable) {
            out.writeUTF(p.hub());
            out.writeUTF(p.sdk());
            out.writeUTF(p.sdkVersion());
            out.writeUTF(p.protocol());
        }
        out.writeInt(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                out.writeLong(keys[i]);
                out.writeInt(profiles[i]);
                out.writeInt(times[i]);
            }
        }
    }

    /** Replaces the content with what {@link #write} wrote; profiles are re-registered through {@code admit}. */
    void read(DataInputStream in, java.util.function.UnaryOperator<Profile> admit) throws IOException {
        if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
            throw new IOException("not a device SDK map of this format");
        }
        int n = in.readInt();
        int[] remap = new int[n];
        for (int i = 0; i < n; i++) {
            Profile p = admit.apply(new Profile(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF()));
            remap[i] = profileId(p);
        }
        int entries = in.readInt();
        int capacity = 1024;
        while (capacity * 3L < Math.min(entries, maxDevices) * 4L + 4) {
            capacity *= 2;
        }
        allocate(capacity);
        size = 0;
        java.util.Arrays.fill(counts, 0);
        for (int i = 0; i < entries; i++) {
            long k = in.readLong();
            int profile = in.readInt();
            int time = in.readInt();
            if (profile < 0 || profile >= n) {
                throw new IOException("device SDK map entry names an unknown profile");
            }
            if (size < maxDevices && k != 0 && find(k) < 0) {
                insert(k, remap[profile], time);
                counts[remap[profile]]++;
            }
        }
    }
}
