package io.github.iothubexporter.classify;

import io.github.iothubexporter.state.DeviceFields;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Disconnects that still wait for their Connections records after the device dropped again (the device record
 * holds only the newest disconnect). Few: flapping devices, and a regional drop right after renewals. At most
 * {@link #PER_IDENTITY} per identity, oldest first; written and read on the state writer thread; carried in
 * snapshots as a meta value.
 */
final class DeferredDecisions {
    /** A device that drops more often than this while records are awaited has its oldest decided at once. */
    static final int PER_IDENTITY = 4;
    private final Map<Integer, List<AwaitingLogs>> byAddr = new HashMap<>();
    private final PendingQueue due = new PendingQueue();

    int size() {
        return byAddr.values().stream().mapToInt(List::size).sum();
    }

    /** The identity's waiting disconnects, oldest first (empty when none); do not modify. */
    List<AwaitingLogs> get(int addr) {
        return byAddr.getOrDefault(addr, List.of());
    }

    void remove(AwaitingLogs a) {
        List<AwaitingLogs> list = byAddr.get(a.addr);
        if (list != null && list.remove(a) && list.isEmpty()) {
            byAddr.remove(a.addr);
        }
    }

    /** Adds one; returns the oldest of the identity when that makes more than {@link #PER_IDENTITY} (removed), or null. */
    AwaitingLogs put(AwaitingLogs a, long deadline) {
        a.deadline = deadline;
        List<AwaitingLogs> list = byAddr.computeIfAbsent(a.addr, k -> new ArrayList<>(2));
        list.add(a);
        due.push(deadline, a.addr);
        return list.size() > PER_IDENTITY ? list.remove(0) : null;
    }

    /** The next entry whose wait is over by {@code watermarkMillis} (removed), or null. */
    AwaitingLogs pollDue(long watermarkMillis) {
        while (due.dueBy(watermarkMillis)) {
            long deadline = due.peekDeadline();
            int addr = due.pop();
            for (AwaitingLogs a : get(addr)) {
                if (a.deadline == deadline) {
                    remove(a);
                    return a;
                }
            }
        }
        return null;
    }

    void clear() {
        byAddr.clear();
        due.clear();
    }

    /** Entries by identity (addresses are not stable across a snapshot migration). */
    byte[] encode(DeviceFields f) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(size());
            for (AwaitingLogs a : byAddr.values().stream().flatMap(List::stream).toList()) {
                out.writeUTF(f.hubName(f.hub(a.addr)));
                out.writeUTF(f.deviceId(a.addr));
                out.writeUTF(f.moduleId(a.addr));
                for (long v : new long[]{a.since, a.reconnectedAt, a.authTime, a.otherTime, a.cleanTime, a.dropTime, a.upTime, a.deadline}) {
                    out.writeLong(v);
                }
                out.writeInt(a.age);
                out.writeBoolean(a.droppedSoonAfter);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    void decode(byte[] value, DeviceFields f) {
        clear();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                int addr = f.find(in.readUTF(), in.readUTF(), in.readUTF());
                long since = in.readLong();
                long reconnectedAt = in.readLong();
                long auth = in.readLong();
                long other = in.readLong();
                long clean = in.readLong();
                long drop = in.readLong();
                long up = in.readLong();
                long deadline = in.readLong();
                int age = in.readInt();
                boolean soon = in.readBoolean();
                if (addr < 0) {
                    continue;
                }
                AwaitingLogs a = new AwaitingLogs(addr, since, reconnectedAt, age);
                a.authTime = auth;
                a.otherTime = other;
                a.cleanTime = clean;
                a.dropTime = drop;
                a.upTime = up;
                a.droppedSoonAfter = soon;
                put(a, deadline);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable deferred classification state", e);
        }
    }
}
