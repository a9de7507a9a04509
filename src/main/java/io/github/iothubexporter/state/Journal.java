package io.github.iothubexporter.state;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.SequenceNumber;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Append-only journal of applied changes, in numbered segment files {@code journal-<n>.log}.
 * Frame: payload length (4) · CRC32C of payload (4) · payload. Payload type 1 = event, 2 = meta entry.
 * A torn or corrupt frame ends the replay of its segment (it can only be the unacknowledged tail).
 */
final class Journal implements Closeable {
    static final byte TYPE_EVENT = 1;
    static final byte TYPE_META = 2;
    static final byte TYPE_FACT = 3;
    private static final int MAX_FRAME = 1 << 24;

    private final Path dir;
    private FileChannel channel;
    private long segment;
    private long segmentBytes;
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16);

    Journal(Path dir) {
        this.dir = dir;
    }

    static Path segmentPath(Path dir, long n) {
        return dir.resolve(String.format("journal-%016d.log", n));
    }

    /** Segment numbers present in the directory, ascending. */
    static List<Long> segments(Path dir) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("journal-\\d{16}\\.log"))
                    .forEach(n -> out.add(Long.parseLong(n.substring(8, 24))));
        }
        out.sort(null);
        return out;
    }

    /** Starts writing a new segment. */
    void open(long n) throws IOException {
        closeChannel();
        segment = n;
        segmentBytes = 0;
        channel = FileChannel.open(segmentPath(dir, n), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Snapshots.fsyncDirectory(dir);
    }

    long segment() {
        return segment;
    }

    long segmentBytes() {
        return segmentBytes + buf.position();
    }

    void appendEvent(ConnectionEvent e, EventSource source) {
        ensure(8 + 1 + 1 + 1 + 1 + e.hub().length() + 1 + e.deviceId().length() + 1 + e.moduleId().length() + 32 + 8);
        int start = buf.position();
        buf.position(start + 8);
        buf.put(TYPE_EVENT).put((byte) source.ordinal()).put((byte) (e.connected() ? 1 : 0));
        putShortString(e.hub());
        putShortString(e.deviceId());
        putShortString(e.moduleId());
        SequenceNumber s = e.sequenceNumber();
        buf.putLong(s.w0()).putLong(s.w1()).putLong(s.w2()).putLong(s.w3());
        buf.putLong(e.eventTimeMillis());
        seal(start);
    }

    void appendMeta(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ensure(8 + 1 + 2 + k.length + 4 + value.length);
        int start = buf.position();
        buf.position(start + 8);
        buf.put(TYPE_META).putShort((short) k.length).put(k).putInt(value.length).put(value);
        seal(start);
    }

    void appendFact(DeviceFact f) {
        ensure(8 + 1 + 3 + f.hub().length() + f.deviceId().length() + f.moduleId().length() + 8 + 1 + 1 + 4 + 1 + 1
                + f.sdkVersion().length());
        int start = buf.position();
        buf.position(start + 8);
        buf.put(TYPE_FACT);
        putShortString(f.hub());
        putShortString(f.deviceId());
        putShortString(f.moduleId());
        buf.putLong(f.timeMillis()).put((byte) f.operation()).put((byte) (f.error() ? 1 : 0)).putInt(f.code())
                .put((byte) f.sdkFamily());
        putShortString(f.sdkVersion().length() > 255 ? f.sdkVersion().substring(0, 255) : f.sdkVersion());
        seal(start);
    }

    private void putShortString(String s) {
        buf.put((byte) s.length());
        for (int i = 0; i < s.length(); i++) {
            buf.put((byte) s.charAt(i));
        }
    }

    private void seal(int start) {
        int end = buf.position();
        int len = end - start - 8;
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), start + 8, len);
        buf.putInt(start, len);
        buf.putInt(start + 4, (int) crc.getValue());
    }

    private void ensure(int bytes) {
        if (buf.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + bytes));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    /** Writes what was appended; with {@code force}, waits until it is on stable storage. */
    void flush(boolean force) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            segmentBytes += channel.write(buf);
        }
        buf.clear();
        if (force) {
            channel.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        closeChannel();
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.force(false);
            channel.close();
            channel = null;
        }
    }

    /** Receives replayed records. */
    interface Replay {
        void event(ConnectionEvent e, EventSource source);

        void meta(String key, byte[] value);

        void fact(DeviceFact fact);
    }

    /**
     * Replays one segment; returns the number of records, and reports a torn tail to {@code warn}.
     */
    static long replay(Path file, Replay sink, java.util.function.Consumer<String> warn) throws IOException {
        long records = 0;
        long offset = 0;
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] payload = new byte[256];
            while (true) {
                int len;
                try {
                    len = in.readInt();
                } catch (EOFException eof) {
                    return records;
                }
                if (len <= 0 || len > MAX_FRAME) {
                    warn.accept(file.getFileName() + ": corrupt frame at byte " + offset + "; ignoring the rest of the segment");
                    return records;
                }
                int crcValue;
                try {
                    crcValue = in.readInt();
                    if (payload.length < len) {
                        payload = new byte[Math.max(len, payload.length * 2)];
                    }
                    in.readFully(payload, 0, len);
                } catch (EOFException eof) {
                    warn.accept(file.getFileName() + ": torn record at byte " + offset + " (unacknowledged write); ignored");
                    return records;
                }
                CRC32C crc = new CRC32C();
                crc.update(payload, 0, len);
                if ((int) crc.getValue() != crcValue) {
                    warn.accept(file.getFileName() + ": checksum mismatch at byte " + offset + "; ignoring the rest of the segment");
                    return records;
                }
                decode(ByteBuffer.wrap(payload, 0, len), sink);
                records++;
                offset += 8 + len;
            }
        }
    }

    private static void decode(ByteBuffer b, Replay sink) throws IOException {
        byte type = b.get();
        if (type == TYPE_EVENT) {
            EventSource source = EventSource.ofOrdinal(b.get());
            boolean connected = b.get() != 0;
            String hub = getShortString(b);
            String device = getShortString(b);
            String module = getShortString(b);
            SequenceNumber s = new SequenceNumber(b.getLong(), b.getLong(), b.getLong(), b.getLong());
            long time = b.getLong();
            sink.event(new ConnectionEvent(hub, device, module, connected, s, time), source);
        } else if (type == TYPE_FACT) {
            String hub = getShortString(b);
            String device = getShortString(b);
            String module = getShortString(b);
            long time = b.getLong();
            int op = b.get();
            boolean error = b.get() != 0;
            int code = b.getInt();
            int family = b.get();
            String version = getShortString(b);
            sink.fact(new DeviceFact(hub, device, module, time, op, error, code, family, version));
        } else if (type == TYPE_META) {
            byte[] k = new byte[b.getShort() & 0xffff];
            b.get(k);
            byte[] v = new byte[b.getInt()];
            b.get(v);
            sink.meta(new String(k, StandardCharsets.UTF_8), v);
        } else {
            throw new IOException("unknown journal record type " + type);
        }
    }

    private static String getShortString(ByteBuffer b) {
        int n = b.get() & 0xff;
        String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.ISO_8859_1);
        b.position(b.position() + n);
        return s;
    }
}
