package io.github.iothubexporter.logs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The position a leader leaves in the lease blob for the next one. Its bytes: magic, workspace, cursor, floor,
 * overlap, then the seen-set buckets. The workspace is inside so that a blob shared by mistake between two
 * workspaces is not taken for this one's position.
 */
record SharedPosition(long cursor, long floor, long overlapTicks, List<byte[]> buckets) {
    // the poller's logger: operators filter on it, and the split into classes should not change that
    private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsPoller.class);
    private static final int MAGIC = 0x4C415731; // "LAW1"

    static byte[] encode(String workspace, long cursor, long floor, long overlapTicks, List<byte[]> buckets) {
        byte[] ws = workspace.getBytes(StandardCharsets.UTF_8);
        int size = 4 + 2 + ws.length + 24 + 4;
        for (byte[] b : buckets) {
            size += 4 + b.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(MAGIC).putShort((short) ws.length).put(ws)
                .putLong(cursor).putLong(floor).putLong(overlapTicks).putInt(buckets.size());
        for (byte[] b : buckets) {
            out.putInt(b.length).put(b);
        }
        return out.array();
    }

    /** Null for an empty blob, another format, or another workspace's position. */
    static SharedPosition decode(byte[] data, String workspace) {
        if (data == null || data.length < 4 + 2 + 24 + 4) {
            return null;
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(data);
            if (in.getInt() != MAGIC) {
                return null;
            }
            byte[] ws = new byte[in.getShort() & 0xffff];
            in.get(ws);
            if (!new String(ws, StandardCharsets.UTF_8).equals(workspace)) {
                LOG.warn("Log Analytics: the lease blob holds the position of another workspace; not used");
                return null;
            }
            long cursor = in.getLong();
            long floor = in.getLong();
            long overlap = in.getLong();
            int n = in.getInt();
            List<byte[]> buckets = new ArrayList<>(Math.min(Math.max(n, 0), SeenRecords.SLOTS));
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[in.getInt()];
                in.get(b);
                buckets.add(b);
            }
            return cursor > 0 ? new SharedPosition(cursor, floor, overlap, buckets) : null;
        } catch (RuntimeException e) {
            LOG.warn("Log Analytics: the lease blob's position is unreadable ({}); not used", e.toString());
            return null;
        }
    }
}
