package io.github.iothubexporter.state;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Full snapshots of a {@link StateStore}: written to a temporary file, fsynced, then atomically renamed
 * over {@code snapshot.bin}. The snapshot names the first journal segment that is not inside it.
 */
final class Snapshots {
    static final String FILE = "snapshot.bin";
    private static final int MAGIC = 0x49485853; // "IHXS"
    private static final int VERSION = 5;
    /** Format 4 lacked the outage-drop field; it is still read (and migrated). */
    private static final int VERSION_4 = 4;

    private Snapshots() {
    }

    /** Writes the store; returns the bytes written. */
    static long write(Path dir, StateStore store, long nextSegment) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        CRC32C crc = new CRC32C();
        try (OutputStream raw = Files.newOutputStream(tmp);
             CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 20), crc);
             DataOutputStream out = new DataOutputStream(checked)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(nextSegment);
            out.writeInt(store.hubs.size());
            for (String hub : store.hubs.list()) {
                out.writeUTF(hub);
            }
            store.stampTimes();
            out.writeInt(store.meta.size());
            for (Map.Entry<String, byte[]> e : store.meta.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
            store.table.writeTo(out);
            out.flush();
            long sum = crc.getValue();
            out.writeLong(sum);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(dir);
        return Files.size(dir.resolve(FILE));
    }

    /** Loads the snapshot into an empty store; returns the next journal segment, or -1 without a snapshot. */
    static long read(Path dir, StateStore store) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(file);
             CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 20), crc);
             DataInputStream in = new DataInputStream(checked)) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a snapshot of this service");
            }
            int version = in.readInt();
            if (version != VERSION && version != VERSION_4) {
                throw new IOException(file + " has snapshot format " + version + "; this build reads " + VERSION_4
                        + " and " + VERSION + " (a newer build wrote it: run that build, or move state.dir aside to start empty)");
            }
            long next = in.readLong();
            int hubs = in.readInt();
            for (int i = 0; i < hubs; i++) {
                if (store.hubs.indexOf(in.readUTF()) != i) {
                    throw new IOException(file + ": more hubs than state.maxHubs allows");
                }
            }
            int metas = in.readInt();
            for (int i = 0; i < metas; i++) {
                String key = in.readUTF();
                byte[] value = new byte[in.readInt()];
                in.readFully(value);
                store.meta.put(key, value);
            }
            store.table = DeviceTable.readFrom(in, version == VERSION_4 ? DeviceTable.HEADER_V4 : DeviceTable.HEADER);
            long expected = crc.getValue();
            long stored = in.readLong();
            if (stored != expected) {
                throw new IOException(file + " is corrupt (checksum mismatch)");
            }
            return next;
        }
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened; the rename is still atomic
        }
    }
}
