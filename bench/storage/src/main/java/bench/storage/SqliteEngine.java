package bench.storage;

import bench.storage.Model.Checkpoint;
import bench.storage.Model.Event;
import bench.storage.Model.Key;
import bench.storage.Model.Recovered;
import bench.storage.Model.State;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Candidate 2: SQLite (xerial sqlite-jdbc), WAL, synchronous=FULL, one transaction per batch.
 * Page cache 64 MiB (override with -Dbench.sqlite.cacheKiB); the default 2 MiB cache was ~20% slower.
 */
final class SqliteEngine implements Engine {
    private static final String UPSERT =
            "INSERT INTO device_state(hub, device_id, module_id, seq, connected, event_time) VALUES (?,?,?,?,?,?) "
                    + "ON CONFLICT(hub, device_id, module_id) DO UPDATE SET seq = excluded.seq, "
                    + "connected = excluded.connected, event_time = excluded.event_time "
                    + "WHERE excluded.seq > device_state.seq";
    private static final String UPSERT_CP =
            "INSERT INTO eh_checkpoint(partition_id, off, seq_no) VALUES (?,?,?) "
                    + "ON CONFLICT(partition_id) DO UPDATE SET off = excluded.off, seq_no = excluded.seq_no";

    private long nativeNanos;

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public long lastNativeLoadNanos() {
        return nativeNanos;
    }

    private static Connection open(Path dir, SQLiteConfig.SynchronousMode sync) throws Exception {
        Files.createDirectories(dir);
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(sync);
        cfg.setCacheSize(Integer.getInteger("bench.sqlite.cacheKiB", 65536) * -1);
        Connection c = cfg.createConnection("jdbc:sqlite:" + dir.resolve("state.db"));
        try (Statement st = c.createStatement()) {
            st.executeUpdate("CREATE TABLE IF NOT EXISTS device_state (hub TEXT NOT NULL, device_id TEXT NOT NULL, "
                    + "module_id TEXT NOT NULL, seq BLOB NOT NULL, connected INTEGER NOT NULL, "
                    + "event_time INTEGER NOT NULL, PRIMARY KEY (hub, device_id, module_id)) WITHOUT ROWID");
            st.executeUpdate("CREATE TABLE IF NOT EXISTS eh_checkpoint (partition_id TEXT PRIMARY KEY, "
                    + "off INTEGER NOT NULL, seq_no INTEGER NOT NULL) WITHOUT ROWID");
        }
        c.setAutoCommit(false);
        return c;
    }

    @Override
    public Writer openWriter(Path dir, Map<Key, State> table) throws Exception {
        Connection c = open(dir, SQLiteConfig.SynchronousMode.FULL);
        PreparedStatement up = c.prepareStatement(UPSERT);
        PreparedStatement cpUp = c.prepareStatement(UPSERT_CP);
        return new Writer() {
            @Override
            public void commit(List<Event> changed, Checkpoint cp) throws Exception {
                for (Event e : changed) {
                    bind(up, e.key(), e.seq(), e.connected(), e.eventTime());
                    up.addBatch();
                }
                up.executeBatch();
                if (cp != null) {
                    cpUp.setString(1, cp.partitionId());
                    cpUp.setLong(2, cp.offset());
                    cpUp.setLong(3, cp.sequenceNumber());
                    cpUp.executeUpdate();
                }
                c.commit(); // WAL append + fsync (synchronous=FULL)
            }

            @Override
            public void close() throws Exception {
                up.close();
                cpUp.close();
                c.close();
            }
        };
    }

    private static void bind(PreparedStatement ps, Key k, byte[] seq, boolean connected, long t) throws Exception {
        ps.setString(1, k.hub());
        ps.setString(2, k.deviceId());
        ps.setString(3, k.moduleId());
        ps.setBytes(4, seq);
        ps.setInt(5, connected ? 1 : 0);
        ps.setLong(6, t);
    }

    @Override
    public void bulkLoad(Path dir, Map<Key, State> table, Checkpoint cp) throws Exception {
        try (Connection c = open(dir, SQLiteConfig.SynchronousMode.NORMAL);
             PreparedStatement up = c.prepareStatement(UPSERT);
             PreparedStatement cpUp = c.prepareStatement(UPSERT_CP)) {
            int n = 0;
            for (Map.Entry<Key, State> e : table.entrySet()) {
                State s = e.getValue();
                bind(up, e.getKey(), s.seq(), s.connected(), s.eventTime());
                up.addBatch();
                if (++n % 50_000 == 0) {
                    up.executeBatch();
                    c.commit();
                }
            }
            up.executeBatch();
            if (cp != null) {
                cpUp.setString(1, cp.partitionId());
                cpUp.setLong(2, cp.offset());
                cpUp.setLong(3, cp.sequenceNumber());
                cpUp.executeUpdate();
            }
            c.commit();
        }
    }

    @Override
    public Recovered recover(Path dir, int expectedIdentities) throws Exception {
        long t0 = System.nanoTime();
        org.sqlite.SQLiteJDBCLoader.initialize(); // extracts + loads the native library
        nativeNanos = System.nanoTime() - t0;
        Map<Key, State> table = Model.newStateMap(expectedIdentities);
        Map<String, Checkpoint> cps = new HashMap<>();
        try (Connection c = open(dir, SQLiteConfig.SynchronousMode.FULL); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "SELECT hub, device_id, module_id, seq, connected, event_time FROM device_state")) {
                while (rs.next()) {
                    Key k = new Key(Codec.internHub(rs.getString(1)), rs.getString(2), rs.getString(3));
                    table.put(k, new State(rs.getBytes(4), rs.getInt(5) != 0, rs.getLong(6)));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT partition_id, off, seq_no FROM eh_checkpoint")) {
                while (rs.next()) {
                    cps.put(rs.getString(1), new Checkpoint(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                }
            }
            c.commit();
        }
        return new Recovered(table, cps);
    }
}
