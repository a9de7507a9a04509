package bench.storage;

import bench.storage.Model.Checkpoint;
import bench.storage.Model.Event;
import bench.storage.Model.Key;
import bench.storage.Model.Recovered;
import bench.storage.Model.State;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Storage engine load harness. Usage: {@code java -jar target/storage-bench.jar [--rounds N] [--quick]}.
 * Internal child modes (used for the kill -9 recovery scenario): {@code --child-populate ENGINE DIR},
 * {@code --child-recover ENGINE DIR}.
 */
public final class Main {
    static final List<String> ENGINES = List.of("journal", "sqlite", "rocksdb");

    // throughput scenario
    static int tpIdentities = 100_000;
    static int tpEventsPerIdentity = 2; // 200,000 events
    // recovery scenario
    static int recIdentities = 1_000_000;
    static int recTail = 100_000;
    static int recTailBatch = 100;
    static int recRuns = 3;

    public static void main(String[] args) throws Exception {
        if (args.length >= 5 && args[0].startsWith("--child-")) {
            recIdentities = Integer.parseInt(args[3]);
            recTail = Integer.parseInt(args[4]);
            if (args[0].equals("--child-populate")) childPopulate(args[1], Path.of(args[2]));
            else childRecover(args[1], Path.of(args[2]));
            return;
        }
        int rounds = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--quick" -> {
                    tpIdentities = 10_000;
                    recIdentities = 100_000;
                    recTail = 10_000;
                    recRuns = 1;
                    rounds = 1;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path root = Files.createTempDirectory(Path.of("/tmp"), "storage-bench-");
        // native libraries (sqlite-jdbc, rocksdbjni) are extracted here, so cleanup removes them too
        System.setProperty("java.io.tmpdir", root.toString());
        System.setProperty("org.sqlite.tmpdir", root.toString());
        Thread cleanup = new Thread(() -> deleteQuietly(root));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            run(root, rounds);
        } finally {
            deleteQuietly(root);
        }
    }

    /** 1-minute load average, a hint of whether other work shared the machine during the run. */
    private static String loadAvg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static void run(Path root, int rounds) throws Exception {
        long started = System.nanoTime();
        String loadBefore = loadAvg();
        log("storage bench: temp dir " + root + ", " + Runtime.getRuntime().availableProcessors() + " cpus, java "
                + System.getProperty("java.version") + ", rounds " + rounds);

        Workload w = new Workload(tpIdentities, 42);
        List<Event> events = w.eventsCoveringAll(tpEventsPerIdentity);
        log("workload: " + events.size() + " events over " + tpIdentities + " identities; sample seq "
                + Codec.hex(events.get(0).seq()));

        // JIT warm-up on a slice, not reported
        List<Event> warm = events.subList(0, Math.min(20_000, events.size()));
        runBaseline(root.resolve("warm-raw"), warm, 100);
        for (String e : ENGINES) runEngine(Engine.byName(e), root.resolve("warm-" + e), warm, 100, false);
        log("warm-up done");

        List<Result> results = new ArrayList<>();
        for (int batch : new int[] {100, 1000}) {
            Map<String, List<Result>> byName = new LinkedHashMap<>();
            List<String> order = new ArrayList<>();
            order.add("raw-fsync");
            order.addAll(ENGINES);
            for (int r = 0; r < rounds; r++) {
                // rotate the order each round so no candidate always runs first/last
                List<String> ro = new ArrayList<>(order);
                java.util.Collections.rotate(ro, r);
                double baseline = 0;
                for (String name : ro) {
                    Path dir = root.resolve("tp-" + name + "-" + batch + "-" + r);
                    System.gc(); // start every run from a collected heap
                    Result res = name.equals("raw-fsync") ? runBaseline(dir, events, batch)
                            : runEngine(Engine.byName(name), dir, events, batch, true);
                    deleteQuietly(dir);
                    log(String.format("batch %4d round %d %-9s %10.0f ev/s p50 %.2f ms p99 %.2f ms %s", batch, r,
                            name, res.eventsPerSec(), res.p50ms, res.p99ms, res.notes));
                    byName.computeIfAbsent(name, k -> new ArrayList<>()).add(res);
                }
                // ratio against the baseline of the same round (adjacent in time, so host noise mostly cancels)
                for (String name : order) {
                    List<Result> l = byName.get(name);
                    if (name.equals("raw-fsync")) baseline = l.get(l.size() - 1).eventsPerSec();
                }
                for (String name : order) {
                    List<Result> l = byName.get(name);
                    Result last = l.get(l.size() - 1);
                    last.ratio = last.eventsPerSec() / baseline;
                }
            }
            for (String name : order) {
                List<Result> l = byName.get(name);
                Result m = median(l);
                List<Double> eps = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                for (Result x : l) {
                    eps.add(x.eventsPerSec());
                    ratios.add(x.ratio);
                }
                m.minEps = min(eps);
                m.maxEps = max(eps);
                m.medianRatio = med(ratios);
                results.add(m);
            }
        }

        List<RecResult> rec = new ArrayList<>();
        for (String e : ENGINES) rec.add(runRecovery(root, e));

        printTables(results, rec, rounds);
        System.out.printf("1-minute load average: %s before the run, %s after it (this harness alone keeps it near "
                + "1; much higher means other processes competed for the %d cpus and the figures are noisy)%n",
                loadBefore, loadAvg(), Runtime.getRuntime().availableProcessors());
        log(String.format("total harness time %.1f s", (System.nanoTime() - started) / 1e9));
    }

    // ------------------------------------------------------------------ throughput

    static final class Result {
        String name;
        int batch;
        int events;
        int commits;
        long totalNanos;
        double p50ms;
        double p99ms;
        long bytesOnDisk;
        String notes = "";
        String verified = "n/a";
        double ratio;
        double medianRatio;
        double minEps;
        double maxEps;

        double eventsPerSec() {
            return events / (totalNanos / 1e9);
        }
    }

    private static Result median(List<Result> rs) {
        List<Result> s = new ArrayList<>(rs);
        s.sort(Comparator.comparingDouble(Result::eventsPerSec));
        return s.get(s.size() / 2);
    }

    private static Checkpoint checkpointFor(int batchIndex, int lastEventIndex) {
        return new Checkpoint("p" + (batchIndex % 4), 1_000L * lastEventIndex, lastEventIndex);
    }

    /** Raw floor: the same record bytes (no framing, no CRC, no table) written + force(false) once per batch. */
    static Result runBaseline(Path dir, List<Event> events, int batch) throws IOException {
        Files.createDirectories(dir);
        int nb = (events.size() + batch - 1) / batch;
        byte[][] payloads = new byte[nb][];
        ByteBuffer tmp = ByteBuffer.allocate(batch * Codec.MAX_RECORD);
        for (int b = 0; b < nb; b++) {
            tmp.clear();
            for (int i = b * batch; i < Math.min(events.size(), (b + 1) * batch); i++) {
                Event e = events.get(i);
                Codec.putKey(tmp, e.key());
                Codec.putValue(tmp, e.seq(), e.connected(), e.eventTime());
            }
            payloads[b] = Arrays.copyOf(tmp.array(), tmp.position());
        }
        long[] lat = new long[nb];
        Path f = dir.resolve("raw.bin");
        long start;
        long end;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            start = System.nanoTime();
            for (int b = 0; b < nb; b++) {
                long t0 = System.nanoTime();
                ByteBuffer buf = ByteBuffer.wrap(payloads[b]);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(false);
                lat[b] = System.nanoTime() - t0;
            }
            end = System.nanoTime();
        }
        Result r = new Result();
        r.name = "raw-fsync";
        r.batch = batch;
        r.events = events.size();
        r.commits = nb;
        r.totalNanos = end - start;
        fillLatency(r, lat);
        r.bytesOnDisk = dirSize(dir);
        r.notes = "floor: write+force(false) only";
        return r;
    }

    /** The single-writer loop: apply a batch to the in-memory table, then make its changes durable. */
    static Result runEngine(Engine engine, Path dir, List<Event> events, int batch, boolean verify)
            throws Exception {
        Map<Key, State> table = Model.newStateMap(tpIdentities);
        int nb = (events.size() + batch - 1) / batch;
        long[] lat = new long[nb];
        List<Event> changed = new ArrayList<>(batch);
        Map<String, Checkpoint> cps = new HashMap<>();
        long start;
        long end;
        String notes;
        try (Engine.Writer wr = engine.openWriter(dir, table)) {
            start = System.nanoTime();
            for (int b = 0; b < nb; b++) {
                long t0 = System.nanoTime();
                changed.clear();
                int to = Math.min(events.size(), (b + 1) * batch);
                for (int i = b * batch; i < to; i++) {
                    Event e = events.get(i);
                    State cur = table.get(e.key());
                    if (cur == null || Model.newer(e.seq(), cur.seq())) {
                        table.put(e.key(), new State(e.seq(), e.connected(), e.eventTime()));
                        changed.add(e);
                    }
                }
                Checkpoint cp = checkpointFor(b, to - 1);
                cps.put(cp.partitionId(), cp);
                wr.commit(changed, cp);
                lat[b] = System.nanoTime() - t0;
            }
            end = System.nanoTime();
            notes = wr.notes();
            long hk = wr.housekeepingNanos();
            if (hk > 0) {
                notes += String.format("; without snapshots %,.0f ev/s", events.size() / ((end - start - hk) / 1e9));
            }
        }
        Result r = new Result();
        r.name = engine.name();
        r.batch = batch;
        r.events = events.size();
        r.commits = nb;
        r.totalNanos = end - start;
        fillLatency(r, lat);
        r.bytesOnDisk = dirSize(dir);
        r.notes = notes;
        if (verify) {
            Recovered rec = engine.recover(dir, tpIdentities);
            boolean ok = rec.state().size() == table.size() && Model.digest(rec.state()) == Model.digest(table)
                    && Model.digestCheckpoints(rec.checkpoints()) == Model.digestCheckpoints(cps);
            r.verified = ok ? "yes" : "NO";
        }
        return r;
    }

    private static void fillLatency(Result r, long[] lat) {
        long[] s = lat.clone();
        Arrays.sort(s);
        r.p50ms = pct(s, 0.50) / 1e6;
        r.p99ms = pct(s, 0.99) / 1e6;
    }

    private static long pct(long[] sorted, double p) {
        int idx = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    // ------------------------------------------------------------------ recovery (child processes)

    static final class RecResult {
        String name;
        long bytesOnDisk;
        String files;
        long setupMs;
        long bulkLoadMs;
        List<Double> recoveryMs = new ArrayList<>();
        List<Double> nativeMs = new ArrayList<>();
        List<Double> wallMs = new ArrayList<>();
        long identities;
        boolean verified = true;
    }

    private static RecResult runRecovery(Path root, String engine) throws Exception {
        RecResult rr = new RecResult();
        rr.name = engine;
        Path crashed = root.resolve("rec-" + engine + "-crashed");
        long t0 = System.nanoTime();
        Map<String, String> pop = runChild("--child-populate", engine, crashed);
        rr.setupMs = (System.nanoTime() - t0) / 1_000_000;
        rr.bulkLoadMs = Long.parseLong(pop.get("loadMs"));
        rr.bytesOnDisk = dirSize(crashed);
        rr.files = describeFiles(crashed);
        for (int i = 0; i < recRuns; i++) {
            Path run = root.resolve("rec-" + engine + "-run" + i);
            copyDir(crashed, run);
            long w0 = System.nanoTime();
            Map<String, String> res = runChild("--child-recover", engine, run);
            rr.wallMs.add((System.nanoTime() - w0) / 1e6);
            rr.recoveryMs.add(Double.parseDouble(res.get("ms")));
            rr.nativeMs.add(Double.parseDouble(res.get("nativeMs")));
            rr.identities = Long.parseLong(res.get("identities"));
            rr.verified &= res.get("digest").equals(pop.get("digest"))
                    && res.get("cpdigest").equals(pop.get("cpdigest"))
                    && res.get("identities").equals(pop.get("identities"));
            deleteQuietly(run);
        }
        deleteQuietly(crashed);
        log(String.format("recovery %-8s size %.1f MB, runs %s ms, verified %s (setup %d ms)", engine,
                rr.bytesOnDisk / 1e6, rr.recoveryMs, rr.verified, rr.setupMs));
        return rr;
    }

    private static Map<String, String> runChild(String mode, String engine, Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xms1g", "-Xmx4g", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dorg.sqlite.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), mode, engine, dir.toString(),
                String.valueOf(recIdentities), String.valueOf(recTail));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<String, String> kv = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    for (String tok : line.substring(7).trim().split("\\s+")) {
                        int eq = tok.indexOf('=');
                        kv.put(tok.substring(0, eq), tok.substring(eq + 1));
                    }
                } else {
                    System.err.println("  [child] " + line);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || kv.isEmpty()) throw new IllegalStateException(mode + " " + engine + " failed, rc=" + rc);
        return kv;
    }

    /** Child: bulk-load N identities, then apply a tail of durable 100-event batches, then die like kill -9. */
    private static void childPopulate(String engineName, Path dir) throws Exception {
        Engine engine = engineName.equals("journal") ? new JournalEngine(Long.MAX_VALUE) : Engine.byName(engineName);
        Workload w = new Workload(recIdentities, 7);
        Map<Key, State> table = w.initialState();
        Checkpoint cp0 = new Checkpoint("p0", 0, 0);
        Map<String, Checkpoint> cps = new HashMap<>();
        cps.put(cp0.partitionId(), cp0);
        long l0 = System.nanoTime();
        engine.bulkLoad(dir, table, cp0);
        long loadNanos = System.nanoTime() - l0;
        List<Event> tail = w.randomEvents(recTail);
        Engine.Writer wr = engine.openWriter(dir, table);
        List<Event> changed = new ArrayList<>(recTailBatch);
        for (int b = 0; b * recTailBatch < tail.size(); b++) {
            changed.clear();
            int to = Math.min(tail.size(), (b + 1) * recTailBatch);
            for (int i = b * recTailBatch; i < to; i++) {
                Event e = tail.get(i);
                State cur = table.get(e.key());
                if (cur == null || Model.newer(e.seq(), cur.seq())) {
                    table.put(e.key(), new State(e.seq(), e.connected(), e.eventTime()));
                    changed.add(e);
                }
            }
            Checkpoint cp = checkpointFor(b, to - 1);
            cps.put(cp.partitionId(), cp);
            wr.commit(changed, cp);
        }
        System.out.println("RESULT loadMs=" + loadNanos / 1_000_000 + " identities=" + table.size() + " digest=" + Model.digest(table) + " cpdigest="
                + Model.digestCheckpoints(cps));
        System.out.flush();
        // simulate kill -9: no close(), no flush, no shutdown hooks
        Runtime.getRuntime().halt(0);
    }

    /** Child: fresh JVM, rebuild the full in-memory table from disk and report how long it took. */
    private static void childRecover(String engineName, Path dir) throws Exception {
        Engine engine = Engine.byName(engineName);
        long t0 = System.nanoTime();
        Recovered r = engine.recover(dir, recIdentities);
        long t = System.nanoTime() - t0;
        System.out.printf("RESULT ms=%.1f nativeMs=%.1f identities=%d digest=%d cpdigest=%d%n", t / 1e6,
                engine.lastNativeLoadNanos() / 1e6, r.state().size(), Model.digest(r.state()),
                Model.digestCheckpoints(r.checkpoints()));
    }

    // ------------------------------------------------------------------ output

    private static void printTables(List<Result> results, List<RecResult> rec, int rounds) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n## Results (").append(Instant.now()).append(")\n\n");
        sb.append(String.format("### Durable batch throughput: %,d events over %,d identities, one fsync/commit per "
                + "batch (%d rounds; the row is the round with median events/s; x raw fsync is the median over rounds of events/s divided by the raw-fsync events/s of the same round)%n%n", tpIdentities * tpEventsPerIdentity, tpIdentities,
                rounds));
        sb.append("| batch | engine | events/s (median) | min-max events/s | x raw fsync | commits/s | p50 commit ms | "
                + "p99 commit ms | on disk | state verified | notes |\n");
        sb.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (Result r : results) {
            sb.append(String.format("| %d | %s | %,.0f | %s-%s | %.2f | %,.0f | %.2f | %.2f | %s | %s | %s |%n",
                    r.batch, r.name, r.eventsPerSec(), kilo(r.minEps), kilo(r.maxEps), r.medianRatio,
                    r.commits / (r.totalNanos / 1e9), r.p50ms, r.p99ms, mb(r.bytesOnDisk), r.verified, r.notes));
        }
        sb.append(String.format("%nraw-fsync: the same unframed record bytes, one write + force(false) per batch, "
                + "nothing else. journal: CRC32-framed records + commit frame, one force(false) per batch, plus a "
                + "synchronous full snapshot (tmp, fsync, atomic rename, dir fsync) every %,d journaled events, "
                + "included in events/s and latencies. sqlite: WAL, synchronous=FULL, 64 MiB page cache, batched "
                + "upsert + checkpoint upsert, one commit per batch. rocksdb: default options, one WriteBatch "
                + "(states + checkpoint) per batch with setSync(true). Every engine also updates the in-memory "
                + "table and writes one Event Hubs checkpoint per batch in the same commit; state verified = a "
                + "reopen reproduces the table and checkpoints exactly.%n", JournalEngine.DEFAULT_SNAPSHOT_EVERY));
        sb.append(String.format("%n### Recovery: %,d identities + %,d-event tail (%d-event durable batches), "
                + "process killed without close (halt), then a fresh JVM rebuilds the full table (%d run(s))%n%n",
                recIdentities, recTail, recTailBatch, recRuns));
        sb.append("| engine | on disk at crash | recovery ms (median) | min-max ms | of which native lib load ms | "
                + "child JVM wall ms | identities | state+checkpoints verified | files | bulk write of full table (setup) ms |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---|---|---:|\n");
        for (RecResult r : rec) {
            sb.append(String.format("| %s | %s | %,.0f | %,.0f-%,.0f | %.0f | %,.0f | %,d | %s | %s | %,d |%n",
                    r.name, mb(r.bytesOnDisk), med(r.recoveryMs), min(r.recoveryMs), max(r.recoveryMs),
                    med(r.nativeMs), med(r.wallMs), r.identities, r.verified ? "yes" : "NO", r.files, r.bulkLoadMs));
        }
        sb.append(String.format("%nrecovery ms is measured inside the fresh JVM from the first storage call to a "
                + "fully built table (native library load included); child JVM wall adds JVM start and exit. "
                + "Page cache is warm (files were just written/copied). Bulk write of full table (setup): for the journal "
                + "this is one full snapshot of %,d identities, i.e. the writer-thread stall a synchronous snapshot "
                + "costs at that size.%n", recIdentities));
        System.out.println(sb);
        System.out.flush();
    }

    private static double med(List<Double> l) {
        List<Double> s = new ArrayList<>(l);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    private static double min(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static String kilo(double v) {
        return v >= 1e6 ? String.format("%.2fM", v / 1e6) : String.format("%.0fk", v / 1e3);
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    private static void log(String s) {
        System.err.println("[bench] " + s);
    }

    // ------------------------------------------------------------------ files

    static long dirSize(Path dir) throws IOException {
        if (!Files.exists(dir)) return 0;
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private static String describeFiles(Path dir) throws IOException {
        Map<String, long[]> groups = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String n = p.getFileName().toString();
                String g;
                if (n.endsWith(".sst")) g = "sst";
                else if (n.endsWith(".log") && n.matches("\\d+\\.log")) g = "wal";
                else if (n.startsWith("snapshot-")) g = "snapshot";
                else if (n.startsWith("journal-")) g = "journal";
                else if (n.equals("state.db")) g = "db";
                else if (n.equals("state.db-wal")) g = "wal";
                else g = "other";
                long[] a = groups.computeIfAbsent(g, k -> new long[2]);
                a[0]++;
                a[1] += Files.size(p);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, long[]> e : groups.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append(' ').append(String.format("%.1f MB", e.getValue()[1] / 1e6));
            if (e.getValue()[0] > 1) sb.append(" (").append(e.getValue()[0]).append(" files)");
        }
        return sb.toString();
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
