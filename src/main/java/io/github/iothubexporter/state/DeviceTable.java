package io.github.iothubexporter.state;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Compact per-identity state: records packed into 1 MiB byte pages, found through an open-addressing
 * index of int addresses. About 80 bytes per identity instead of several objects per identity, so a
 * million devices fit in under 100 MB and snapshots are a straight copy of the pages.
 * Single-threaded: only the state writer touches it.
 *
 * <p>Record layout: hub index (2) · flags (1) · device length (1) · module length (1) · SDK family (1) ·
 * SDK version index (2) · sequence number (32, big-endian words) · event time ms (8) · connected since ms (8) ·
 * pending disconnect ms (8) · connection age at that disconnect s (4) · learned renewal period s (4) ·
 * log evidence: last 401003 disconnect ms (8), last other error disconnect ms (8), last clean disconnect ms (8) ·
 * reconnect awaiting log evidence ms (8) · last decision's disconnect ms (8) · last decision's kind (1) · pad (3) ·
 * last deviceConnect record ms (8) ·
 * device ID bytes · module ID bytes. IDs are 7-bit ASCII (validated at ingest), one byte per character.
 */
final class DeviceTable {
    static final int PAGE_BITS = 20;
    static final int PAGE_SIZE = 1 << PAGE_BITS;
    static final int MAX_PAGES = 2047;

    static final int OFF_HUB = 0;
    static final int OFF_FLAGS = 2;
    static final int OFF_DEV_LEN = 3;
    static final int OFF_MOD_LEN = 4;
    static final int OFF_SDK = 5;
    static final int OFF_SDK_VERSION = 6;
    static final int OFF_SEQ = 8;
    static final int OFF_TIME = 40;
    static final int OFF_CONNECTED_SINCE = 48;
    static final int OFF_PENDING = 56;
    static final int OFF_PENDING_AGE = 64;
    static final int OFF_LEARNED = 68;
    static final int OFF_AUTH_ERROR = 72;
    static final int OFF_OTHER_ERROR = 80;
    static final int OFF_CLEAN_DISCONNECT = 88;
    static final int OFF_RECONNECTED = 96;
    static final int OFF_LAST_DECISION = 104;
    static final int OFF_LAST_KIND = 112;
    static final int OFF_CONNECT_RECORD = 116;
    static final int OFF_OUTAGE_DROP = 124;
    static final int OFF_LAST_ERROR_TIME = 132;
    static final int OFF_LAST_ERROR_CODE = 140;
    static final int HEADER = 144;
    /** Record header of snapshot format 4 (before OFF_OUTAGE_DROP and the last error): such snapshots are migrated on load. */
    static final int HEADER_V4 = 124;

    static final int FLAG_CONNECTED = 1;
    static final int FLAG_CRITICAL = 2;
    /** The pending disconnect was already counted genuine (the device counts as offline). */
    static final int FLAG_GENUINE = 4;
    /** The learned renewal period has been seen at least twice in a row. */
    static final int FLAG_LEARNED_CONFIRMED = 8;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private byte[][] pages = new byte[4][];
    private int[] pageUsed = new int[4];
    private int pageCount;

    private int[] slots;   // address + 1; 0 = empty
    private int[] hashes;
    private int size;

    DeviceTable() {
        allocateIndex(1 << 10);
    }

    int size() {
        return size;
    }

    /** Address of the identity's record, or -1. */
    int find(int hub, String device, String module) {
        int h = hash(hub, device, module);
        int mask = slots.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int s = slots[i];
            if (s == 0) {
                return -1;
            }
            if (hashes[i] == h && matches(s - 1, hub, device, module)) {
                return s - 1;
            }
        }
    }

    /** Adds a record for an identity known to be absent; returns its address. */
    int insert(int hub, String device, String module) {
        if ((size + 1) * 2 > slots.length) {
            allocateIndex(slots.length * 2);
        }
        int len = HEADER + device.length() + module.length();
        if (pageCount == 0 || pageUsed[pageCount - 1] + len > PAGE_SIZE) {
            addPage();
        }
        int p = pageCount - 1;
        int off = pageUsed[p];
        byte[] page = pages[p];
        SHORT.set(page, off + OFF_HUB, (short) hub);
        page[off + OFF_DEV_LEN] = (byte) device.length();
        page[off + OFF_MOD_LEN] = (byte) module.length();
        int k = off + HEADER;
        for (int i = 0; i < device.length(); i++) {
            page[k++] = (byte) device.charAt(i);
        }
        for (int i = 0; i < module.length(); i++) {
            page[k++] = (byte) module.charAt(i);
        }
        pageUsed[p] = off + len;
        int addr = (p << PAGE_BITS) | off;
        index(addr, hash(hub, device, module));
        size++;
        return addr;
    }

    private void addPage() {
        if (pageCount == MAX_PAGES) {
            throw new IllegalStateException("device table is full (" + size + " identities)");
        }
        if (pageCount == pages.length) {
            pages = Arrays.copyOf(pages, pages.length * 2);
            pageUsed = Arrays.copyOf(pageUsed, pageUsed.length * 2);
        }
        pages[pageCount] = new byte[PAGE_SIZE];
        pageUsed[pageCount] = 0;
        pageCount++;
    }

    private void allocateIndex(int capacity) {
        slots = new int[capacity];
        hashes = new int[capacity];
        forEach(addr -> index(addr, hashOf(addr)));
    }

    private void index(int addr, int h) {
        int mask = slots.length - 1;
        int i = h & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = addr + 1;
        hashes[i] = h;
    }

    private boolean matches(int addr, int hub, String device, String module) {
        byte[] page = pages[addr >>> PAGE_BITS];
        int off = addr & (PAGE_SIZE - 1);
        if ((short) SHORT.get(page, off + OFF_HUB) != (short) hub
                || (page[off + OFF_DEV_LEN] & 0xff) != device.length()
                || (page[off + OFF_MOD_LEN] & 0xff) != module.length()) {
            return false;
        }
        int k = off + HEADER;
        for (int i = 0; i < device.length(); i++) {
            if (page[k++] != (byte) device.charAt(i)) {
                return false;
            }
        }
        for (int i = 0; i < module.length(); i++) {
            if (page[k++] != (byte) module.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static int hash(int hub, String device, String module) {
        int h = hub * 0x9E3779B1;
        for (int i = 0; i < device.length(); i++) {
            h = 31 * h + device.charAt(i);
        }
        h = 31 * h + '/';
        for (int i = 0; i < module.length(); i++) {
            h = 31 * h + module.charAt(i);
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    private int hashOf(int addr) {
        return hash(hub(addr), deviceId(addr), moduleId(addr));
    }

    // ---- field access -------------------------------------------------------------------------

    private byte[] page(int addr) {
        return pages[addr >>> PAGE_BITS];
    }

    private static int off(int addr) {
        return addr & (PAGE_SIZE - 1);
    }

    int hub(int addr) {
        return (short) SHORT.get(page(addr), off(addr) + OFF_HUB);
    }

    int flags(int addr) {
        return page(addr)[off(addr) + OFF_FLAGS];
    }

    void flags(int addr, int flags) {
        page(addr)[off(addr) + OFF_FLAGS] = (byte) flags;
    }

    boolean connected(int addr) {
        return (flags(addr) & FLAG_CONNECTED) != 0;
    }

    boolean critical(int addr) {
        return (flags(addr) & FLAG_CRITICAL) != 0;
    }

    long seqWord(int addr, int word) {
        return (long) LONG.get(page(addr), off(addr) + OFF_SEQ + 8 * word);
    }

    void sequence(int addr, long w0, long w1, long w2, long w3) {
        byte[] page = page(addr);
        int o = off(addr) + OFF_SEQ;
        LONG.set(page, o, w0);
        LONG.set(page, o + 8, w1);
        LONG.set(page, o + 16, w2);
        LONG.set(page, o + 24, w3);
    }

    long eventTime(int addr) {
        return (long) LONG.get(page(addr), off(addr) + OFF_TIME);
    }

    void eventTime(int addr, long millis) {
        LONG.set(page(addr), off(addr) + OFF_TIME, millis);
    }

    long longAt(int addr, int field) {
        return (long) LONG.get(page(addr), off(addr) + field);
    }

    void longAt(int addr, int field, long value) {
        LONG.set(page(addr), off(addr) + field, value);
    }

    int intAt(int addr, int field) {
        return (int) INT.get(page(addr), off(addr) + field);
    }

    void intAt(int addr, int field, int value) {
        INT.set(page(addr), off(addr) + field, value);
    }

    int byteAt(int addr, int field) {
        return page(addr)[off(addr) + field];
    }

    void byteAt(int addr, int field, int value) {
        page(addr)[off(addr) + field] = (byte) value;
    }

    int sdk(int addr) {
        return page(addr)[off(addr) + OFF_SDK];
    }

    int sdkVersion(int addr) {
        return (short) SHORT.get(page(addr), off(addr) + OFF_SDK_VERSION);
    }

    void sdk(int addr, int family, int version) {
        page(addr)[off(addr) + OFF_SDK] = (byte) family;
        SHORT.set(page(addr), off(addr) + OFF_SDK_VERSION, (short) version);
    }

    String deviceId(int addr) {
        byte[] page = page(addr);
        int o = off(addr);
        return new String(page, o + HEADER, page[o + OFF_DEV_LEN] & 0xff, StandardCharsets.ISO_8859_1);
    }

    String moduleId(int addr) {
        byte[] page = page(addr);
        int o = off(addr);
        int devLen = page[o + OFF_DEV_LEN] & 0xff;
        return new String(page, o + HEADER + devLen, page[o + OFF_MOD_LEN] & 0xff, StandardCharsets.ISO_8859_1);
    }

    public interface AddressConsumer {
        void accept(int addr);
    }

    void forEach(AddressConsumer consumer) {
        forEachInPages(0, pageCount, consumer);
    }

    int pageCount() {
        return pageCount;
    }

    /**
     * Visits the records of pages {@code [fromPage, fromPage + pages)}; returns the next page to visit, or -1 when
     * the last page was visited. Records never move and pages only grow at the end, so a walk split over several
     * calls visits every record that existed when it began.
     */
    int forEachInPages(int fromPage, int count, AddressConsumer consumer) {
        int end = Math.min(pageCount, fromPage + count);
        for (int p = Math.max(0, fromPage); p < end; p++) {
            byte[] page = pages[p];
            int used = pageUsed[p];
            int off = 0;
            while (off < used) {
                consumer.accept((p << PAGE_BITS) | off);
                off += HEADER + (page[off + OFF_DEV_LEN] & 0xff) + (page[off + OFF_MOD_LEN] & 0xff);
            }
        }
        return end >= pageCount ? -1 : end;
    }

    /** Whether the record's device ID starts with {@code prefix}, without building a String. */
    boolean deviceIdStartsWith(int addr, String prefix) {
        byte[] page = page(addr);
        int o = off(addr);
        int len = page[o + OFF_DEV_LEN] & 0xff;
        if (prefix.length() > len) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) > 0x7f || page[o + HEADER + i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Compares the record's device ID with {@code other} like {@link String#compareTo}, without building a String. */
    int compareDeviceId(int addr, String other) {
        byte[] page = page(addr);
        int o = off(addr);
        int len = page[o + OFF_DEV_LEN] & 0xff;
        int n = Math.min(len, other.length());
        for (int i = 0; i < n; i++) {
            int c = (page[o + HEADER + i] & 0xff) - other.charAt(i);
            if (c != 0) {
                return c;
            }
        }
        return len - other.length();
    }

    // ---- snapshot -----------------------------------------------------------------------------

    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(size);
        out.writeInt(pageCount);
        for (int p = 0; p < pageCount; p++) {
            out.writeInt(pageUsed[p]);
            out.write(pages[p], 0, pageUsed[p]);
        }
    }

    static DeviceTable readFrom(DataInputStream in) throws IOException {
        return readFrom(in, HEADER);
    }

    /**
     * Loads pages written with records of {@code header} bytes. An older, shorter header is migrated: each
     * record is copied into a fresh table and the fields added since start at zero (= "not known yet").
     */
    static DeviceTable readFrom(DataInputStream in, int header) throws IOException {
        DeviceTable t = new DeviceTable();
        int expectedSize = in.readInt();
        int count = in.readInt();
        if (count < 0 || count > MAX_PAGES || expectedSize < 0) {
            throw new IOException("corrupt snapshot: " + count + " pages");
        }
        for (int p = 0; p < count; p++) {
            t.addPage();
            int used = in.readInt();
            if (used < 0 || used > PAGE_SIZE) {
                throw new IOException("corrupt snapshot: page " + p + " claims " + used + " bytes");
            }
            in.readFully(t.pages[p], 0, used);
            t.pageUsed[p] = used;
        }
        if (header != HEADER) {
            return migrate(t, header, expectedSize);
        }
        int capacity = Integer.highestOneBit(Math.max(1024, expectedSize * 2 + 1)) << 1;
        t.slots = new int[capacity];
        t.hashes = new int[capacity];
        int[] n = {0};
        t.forEach(addr -> {
            t.index(addr, t.hashOf(addr));
            n[0]++;
        });
        if (n[0] != expectedSize) {
            throw new IOException("corrupt snapshot: " + n[0] + " records, expected " + expectedSize);
        }
        t.size = n[0];
        return t;
    }

    private static DeviceTable migrate(DeviceTable old, int oldHeader, int expectedSize) throws IOException {
        DeviceTable t = new DeviceTable();
        for (int p = 0; p < old.pageCount; p++) {
            byte[] page = old.pages[p];
            int off = 0;
            while (off < old.pageUsed[p]) {
                int devLen = page[off + OFF_DEV_LEN] & 0xff;
                int modLen = page[off + OFF_MOD_LEN] & 0xff;
                String device = new String(page, off + oldHeader, devLen, StandardCharsets.ISO_8859_1);
                String module = new String(page, off + oldHeader + devLen, modLen, StandardCharsets.ISO_8859_1);
                int addr = t.insert((short) SHORT.get(page, off + OFF_HUB), device, module);
                System.arraycopy(page, off, t.pages[addr >>> PAGE_BITS], addr & (PAGE_SIZE - 1), oldHeader);
                off += oldHeader + devLen + modLen;
            }
        }
        if (t.size != expectedSize) {
            throw new IOException("corrupt snapshot: " + t.size + " records, expected " + expectedSize);
        }
        return t;
    }
}
