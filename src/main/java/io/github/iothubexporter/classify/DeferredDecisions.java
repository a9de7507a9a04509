package io.github.iothubexporter.classify;

import io.github.iothubexporter.state.DeviceFields;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Disconnects on the edge of the grace window that still wait for their Connections records after the device
 * dropped again (the device record holds only the newest disconnect). Few: flapping devices. At most one per
 * identity; written and read on the state writer thread; carried in snapshots as a meta value.
 */
final class DeferredDecisions {
    private final Map<Integer, AwaitingLogs> byAddr = new HashMap<>();
    private final PendingQueue due = new PendingQueue();

    int size() {
        return byAddr.size();
    }

    AwaitingLogs get(int addr) {
        return byAddr.get(addr);
    }

    AwaitingLogs remove(int addr) {
        return byAddr.remove(addr);
    }

    void put(AwaitingLogs a, long deadline) {
        a.deadline = deadline;
        byAddr.put(a.addr, a);
        due.push(deadline, a.addr);
    }

    /** The next entry whose wait is over by {@code watermarkMillis} (removed), or null. */
    AwaitingLogs pollDue(long watermarkMillis) {
        while (due.dueBy(watermarkMillis)) {
            long deadline = due.peekDeadline();
            int addr = due.pop();
            AwaitingLogs a = byAddr.get(addr);
            if (a != null && a.deadline == deadline) {
                return byAddr.remove(addr);
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
            out.writeInt(byAddr.size());
            for (AwaitingLogs a : byAddr.values()) {
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
