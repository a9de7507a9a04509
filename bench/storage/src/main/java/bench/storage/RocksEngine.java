package bench.storage;

import bench.storage.Model.Checkpoint;
import bench.storage.Model.Event;
import bench.storage.Model.Key;
import bench.storage.Model.Recovered;
import bench.storage.Model.State;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Candidate 3: RocksDB (rocksdbjni linux64), one WriteBatch per batch written with sync=true. */
final class RocksEngine implements Engine {
    /** State keys start with the hub length byte (< 0x80); checkpoint keys start with 0xFF. */
    private static final byte CP_PREFIX = (byte) 0xFF;

    private long nativeNanos;

    @Override
    public String name() {
        return "rocksdb";
    }

    @Override
    public long lastNativeLoadNanos() {
        return nativeNanos;
    }

    private static Options options() {
        return new Options().setCreateIfMissing(true);
    }

    private static byte[] cpKey(String partition) {
        byte[] p = partition.getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[p.length + 1];
        k[0] = CP_PREFIX;
        System.arraycopy(p, 0, k, 1, p.length);
        return k;
    }

    private static byte[] cpValue(Checkpoint cp) {
        return ByteBuffer.allocate(16).putLong(cp.offset()).putLong(cp.sequenceNumber()).array();
    }

    @Override
    public Writer openWriter(Path dir, Map<Key, State> table) throws Exception {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        Options opts = options();
        RocksDB db = RocksDB.open(opts, dir.toString());
        WriteOptions sync = new WriteOptions().setSync(true);
        WriteBatch wb = new WriteBatch();
        return new Writer() {
            @Override
            public void commit(List<Event> changed, Checkpoint cp) throws Exception {
                wb.clear();
                for (Event e : changed) {
                    wb.put(Codec.keyBytes(e.key()), Codec.valueBytes(e.seq(), e.connected(), e.eventTime()));
                }
                if (cp != null) wb.put(cpKey(cp.partitionId()), cpValue(cp));
                db.write(sync, wb); // WAL append + fsync
            }

            @Override
            public void close() {
                wb.close();
                sync.close();
                db.close();
                opts.close();
            }
        };
    }

    @Override
    public void bulkLoad(Path dir, Map<Key, State> table, Checkpoint cp) throws Exception {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        try (Options opts = options();
             RocksDB db = RocksDB.open(opts, dir.toString());
             WriteOptions wo = new WriteOptions();
             WriteBatch wb = new WriteBatch()) {
            int n = 0;
            for (Map.Entry<Key, State> e : table.entrySet()) {
                State s = e.getValue();
                wb.put(Codec.keyBytes(e.getKey()), Codec.valueBytes(s.seq(), s.connected(), s.eventTime()));
                if (++n % 10_000 == 0) {
                    db.write(wo, wb);
                    wb.clear();
                }
            }
            if (cp != null) wb.put(cpKey(cp.partitionId()), cpValue(cp));
            db.write(wo, wb);
            db.flushWal(true);
        }
    }

    @Override
    public Recovered recover(Path dir, int expectedIdentities) throws Exception {
        long t0 = System.nanoTime();
        RocksDB.loadLibrary(); // extracts + loads the native library (once per JVM)
        nativeNanos = System.nanoTime() - t0;
        Map<Key, State> table = Model.newStateMap(expectedIdentities);
        Map<String, Checkpoint> cps = new HashMap<>();
        try (Options opts = options();
             RocksDB db = RocksDB.open(opts, dir.toString()); // replays the WAL
             RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                byte[] v = it.value();
                if (k[0] == CP_PREFIX) {
                    String p = new String(k, 1, k.length - 1, StandardCharsets.US_ASCII);
                    ByteBuffer b = ByteBuffer.wrap(v);
                    cps.put(p, new Checkpoint(p, b.getLong(), b.getLong()));
                } else {
                    table.put(Codec.getKey(ByteBuffer.wrap(k)), Codec.getValue(ByteBuffer.wrap(v)));
                }
            }
            it.status();
        }
        return new Recovered(table, cps);
    }
}
