package bench.storage;

import bench.storage.Model.Checkpoint;
import bench.storage.Model.Event;
import bench.storage.Model.Key;
import bench.storage.Model.Recovered;
import bench.storage.Model.State;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Candidate 1: append-only journal + periodic full snapshot of the in-memory table.
 *
 * <pre>
 * journal-G.log : frames [int payloadLen][int crc32(payload)][payload]
 *                 payload = 1 + state record  |  2 + commit marker (hasCheckpoint byte, checkpoint)
 *                 A batch is its state frames followed by one commit frame; one write + force(false) per batch.
 *                 Replay applies a batch only once its commit frame is read, so a torn tail is dropped whole.
 * snapshot-G.snap: [long magic][long G] body (1 + state | 2 + checkpoint)* trailer [long states][int cps]
 *                 [int crc32(body)][long endMagic]; written as tmp, force, atomic rename, directory fsync.
 *                 It holds everything up to the start of journal-G.
 * </pre>
 */
final class JournalEngine implements Engine {
    static final long DEFAULT_SNAPSHOT_EVERY = 100_000;

    private static final byte T_STATE = 1;
    private static final byte T_COMMIT = 2;
    private static final byte T_CHECKPOINT = 2;
    private static final long SNAP_MAGIC = 0x534E415053484F54L; // "SNAPSHOT"
    private static final long SNAP_END = 0x454E44534E415053L;
    private static final int TRAILER = 8 + 4 + 4 + 8;

    private final long snapshotEvery;

    JournalEngine() {
        this(DEFAULT_SNAPSHOT_EVERY);
    }

    JournalEngine(long snapshotEvery) {
        this.snapshotEvery = snapshotEvery;
    }

    @Override
    public String name() {
        return "journal";
    }

    static Path snapshotPath(Path dir, long gen) {
        return dir.resolve(String.format("snapshot-%016d.snap", gen));
    }

    static Path journalPath(Path dir, long gen) {
        return dir.resolve(String.format("journal-%016d.log", gen));
    }

    /** Newest snapshot generation present, or 0 if none. */
    static long latestGeneration(Path dir) throws IOException {
        long best = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith("snapshot-") && n.endsWith(".snap")) {
                    best = Math.max(best, Long.parseLong(n.substring(9, n.length() - 5)));
                }
            }
        }
        return best;
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    // ------------------------------------------------------------------ snapshot

    static void writeSnapshot(Path dir, long gen, Map<Key, State> table, Map<String, Checkpoint> cps)
            throws IOException {
        Path tmp = dir.resolve(String.format("snapshot-%016d.tmp", gen));
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            buf.putLong(SNAP_MAGIC).putLong(gen);
            writeFully(ch, buf.flip());
            buf.clear();
            for (Map.Entry<Key, State> e : table.entrySet()) {
                if (buf.remaining() < Codec.MAX_RECORD + 1) {
                    flushBody(ch, buf, crc);
                }
                State s = e.getValue();
                buf.put(T_STATE);
                Codec.putKey(buf, e.getKey());
                Codec.putValue(buf, s.seq(), s.connected(), s.eventTime());
            }
            for (Checkpoint c : cps.values()) {
                if (buf.remaining() < 300) flushBody(ch, buf, crc);
                buf.put(T_CHECKPOINT);
                Codec.putCheckpoint(buf, c);
            }
            flushBody(ch, buf, crc);
            buf.putLong(table.size()).putInt(cps.size()).putInt((int) crc.getValue()).putLong(SNAP_END);
            writeFully(ch, buf.flip());
            ch.force(true);
        }
        Files.move(tmp, snapshotPath(dir, gen), StandardCopyOption.ATOMIC_MOVE);
        fsyncDir(dir);
    }

    private static void flushBody(FileChannel ch, ByteBuffer buf, CRC32 crc) throws IOException {
        crc.update(buf.array(), 0, buf.position());
        writeFully(ch, buf.flip());
        buf.clear();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static void loadSnapshot(Path file, Map<Key, State> table, Map<String, Checkpoint> cps)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 16 + TRAILER) throw new IOException("snapshot too short: " + file);
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            if (m.getLong(0) != SNAP_MAGIC || m.getLong((int) size - 8) != SNAP_END) {
                throw new IOException("bad snapshot magic: " + file);
            }
            int bodyEnd = (int) size - TRAILER;
            long states = m.getLong(bodyEnd);
            int expectedCrc = m.getInt(bodyEnd + 12);
            CRC32 crc = new CRC32();
            crc.update(m.slice(16, bodyEnd - 16));
            if ((int) crc.getValue() != expectedCrc) throw new IOException("snapshot CRC mismatch: " + file);
            m.position(16).limit(bodyEnd);
            while (m.hasRemaining()) {
                byte t = m.get();
                if (t == T_STATE) {
                    Key k = Codec.getKey(m);
                    table.put(k, Codec.getValue(m));
                } else if (t == T_CHECKPOINT) {
                    Checkpoint c = Codec.getCheckpoint(m);
                    cps.put(c.partitionId(), c);
                } else {
                    throw new IOException("bad snapshot record type " + t);
                }
            }
            if (table.size() != states) throw new IOException("snapshot count mismatch");
        }
    }

    // ------------------------------------------------------------------ journal replay

    /** Replays journal frames into the table; returns the byte offset just after the last complete batch. */
    private static long replay(Path file, Map<Key, State> table, Map<String, Checkpoint> cps) throws IOException {
        if (!Files.exists(file)) return 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) return 0;
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            CRC32 crc = new CRC32();
            List<Key> pendingKeys = new ArrayList<>();
            List<State> pendingStates = new ArrayList<>();
            long validEnd = 0;
            while (m.remaining() >= 8) {
                int start = m.position();
                int len = m.getInt();
                int want = m.getInt();
                if (len <= 0 || len > m.remaining()) break; // torn tail
                crc.reset();
                crc.update(m.slice(start + 8, len));
                if ((int) crc.getValue() != want) break; // torn or corrupt tail
                byte t = m.get();
                if (t == T_STATE) {
                    pendingKeys.add(Codec.getKey(m));
                    pendingStates.add(Codec.getValue(m));
                } else if (t == T_COMMIT) {
                    if (m.get() != 0) {
                        Checkpoint c = Codec.getCheckpoint(m);
                        cps.put(c.partitionId(), c);
                    }
                    for (int i = 0; i < pendingKeys.size(); i++) {
                        State cur = table.get(pendingKeys.get(i));
                        State nu = pendingStates.get(i);
                        if (cur == null || Model.newer(nu.seq(), cur.seq())) table.put(pendingKeys.get(i), nu);
                    }
                    pendingKeys.clear();
                    pendingStates.clear();
                    validEnd = start + 8L + len;
                } else {
                    break;
                }
                m.position(start + 8 + len);
            }
            return validEnd;
        }
    }

    @Override
    public Recovered recover(Path dir, int expectedIdentities) throws Exception {
        Map<Key, State> table = Model.newStateMap(expectedIdentities);
        Map<String, Checkpoint> cps = new HashMap<>();
        long gen = latestGeneration(dir);
        if (gen > 0) loadSnapshot(snapshotPath(dir, gen), table, cps);
        replay(journalPath(dir, gen), table, cps);
        return new Recovered(table, cps);
    }

    @Override
    public void bulkLoad(Path dir, Map<Key, State> table, Checkpoint cp) throws Exception {
        Files.createDirectories(dir);
        long gen = latestGeneration(dir) + 1;
        Map<String, Checkpoint> cps = new HashMap<>();
        if (cp != null) cps.put(cp.partitionId(), cp);
        writeSnapshot(dir, gen, table, cps);
    }

    @Override
    public Writer openWriter(Path dir, Map<Key, State> table) throws Exception {
        Files.createDirectories(dir);
        return new JournalWriter(dir, table, snapshotEvery);
    }

    private static final class JournalWriter implements Writer {
        private final Path dir;
        private final Map<Key, State> table;
        private final long snapshotEvery;
        private final Map<String, Checkpoint> checkpoints = new HashMap<>();
        private final CRC32 crc = new CRC32();
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        private FileChannel ch;
        private long gen;
        private long sinceSnapshot;
        private int snapshots;
        private long snapshotNanos;

        JournalWriter(Path dir, Map<Key, State> table, long snapshotEvery) throws IOException {
            this.dir = dir;
            this.table = table;
            this.snapshotEvery = snapshotEvery;
            this.gen = latestGeneration(dir);
            Path j = journalPath(dir, gen);
            boolean existed = Files.exists(j);
            // learn the checkpoints already on disk and where the valid journal ends
            if (gen > 0) loadSnapshot(snapshotPath(dir, gen), Model.newStateMap(16), checkpoints);
            long validEnd = replay(j, Model.newStateMap(16), checkpoints);
            ch = FileChannel.open(j, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ch.truncate(validEnd); // drop a torn tail before appending
            ch.position(validEnd);
            if (!existed) fsyncDir(dir);
        }

        private void ensure(int bytes) {
            if (buf.capacity() < bytes) buf = ByteBuffer.allocate(Integer.highestOneBit(bytes) << 1);
        }

        @Override
        public void commit(List<Event> changed, Checkpoint cp) throws IOException {
            ensure((changed.size() + 1) * (8 + Codec.MAX_RECORD + 1) + 512);
            buf.clear();
            byte[] a = buf.array();
            for (Event e : changed) {
                int start = buf.position();
                buf.position(start + 8);
                buf.put(T_STATE);
                Codec.putKey(buf, e.key());
                Codec.putValue(buf, e.seq(), e.connected(), e.eventTime());
                seal(a, start);
            }
            int start = buf.position();
            buf.position(start + 8);
            buf.put(T_COMMIT);
            if (cp != null) {
                buf.put((byte) 1);
                Codec.putCheckpoint(buf, cp);
                checkpoints.put(cp.partitionId(), cp);
            } else {
                buf.put((byte) 0);
            }
            seal(a, start);
            buf.flip();
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(false); // group commit: one fdatasync per batch
            sinceSnapshot += changed.size();
            if (sinceSnapshot >= snapshotEvery) snapshot();
        }

        private void seal(byte[] a, int start) {
            int len = buf.position() - start - 8;
            crc.reset();
            crc.update(a, start + 8, len);
            buf.putInt(start, len);
            buf.putInt(start + 4, (int) crc.getValue());
        }

        /** Synchronous snapshot on the writer thread, then rotate to a fresh journal and drop the old files. */
        private void snapshot() throws IOException {
            long t0 = System.nanoTime();
            long next = gen + 1;
            writeSnapshot(dir, next, table, checkpoints);
            ch.close();
            ch = FileChannel.open(journalPath(dir, next), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            fsyncDir(dir);
            Files.deleteIfExists(journalPath(dir, gen));
            Files.deleteIfExists(snapshotPath(dir, gen));
            gen = next;
            sinceSnapshot = 0;
            snapshots++;
            snapshotNanos += System.nanoTime() - t0;
        }

        @Override
        public long housekeepingNanos() {
            return snapshotNanos;
        }

        @Override
        public String notes() {
            if (snapshots == 0) return "no snapshot";
            return String.format("%d snapshot(s), avg %.0f ms on writer thread", snapshots,
                    snapshotNanos / 1e6 / snapshots);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
