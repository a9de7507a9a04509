package io.github.iothubexporter.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.iothubexporter.ingest.BodyException;
import io.github.iothubexporter.ingest.EventGridParser;
import io.github.iothubexporter.ingest.ParsedBatch;
import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.state.ApplyResult;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Hot path of the webhook, on one thread: parse + validate + order + apply of Event Grid schema batches of
 * {@value #BATCH} events, against a store that already tracks {@code identities} identities over 2 hubs (so
 * every event is an in-place update that wins on sequence number). Scores are events/s
 * ({@link OperationsPerInvocation}). Side by side, {@link #tokenize} runs Jackson's bare streaming tokenizer
 * over the very same bytes as the baseline.
 *
 * <ul>
 *   <li>{@link #tokenize}: {@code JsonFactory.createParser} + {@code nextToken()} until null (baseline);</li>
 *   <li>{@link #tokenizeDecodeRead}: the baseline plus decoding the seven string values the parser reads
 *       (a step to split the parser's cost into Jackson string decoding and the parser's own work);</li>
 *   <li>{@link #parse}: {@code EventGridParser.parse} only (parse + validate into ConnectionEvents);</li>
 *   <li>{@link #parseApply}: parse, then {@code StateStore.apply(e, WEBHOOK, true)} per event; no StateWriter
 *       thread, no journal, no fsync;</li>
 *   <li>{@link #parseSubmitWriter}: parse on this thread, then {@code StateWriter.submit} (apply + journal
 *       encoding + write(2) on the writer thread, fsync off), at most {@value #WINDOW} batches in flight.
 *       Two threads: not a one-core figure. The journal itself is package-private, so this is the only way to
 *       include journal encoding through public API.</li>
 * </ul>
 * Every batch is patched (outside the measured time) to a new, higher sequence-number round before use, and
 * the benchmark fails if any event did not apply.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(ParseApplyBenchmark.BATCH)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class ParseApplyBenchmark {
    public static final int BATCH = 100;
    static final int HUBS = 2;
    static final int WINDOW = 16;

    /** The bodies, and the cursor that hands the next one, freshly patched, to each invocation. */
    @State(Scope.Thread)
    public static class Bodies {
        @Param("100000")
        public int identities;

        byte[][][] bodies;   // [round parity][batch]
        int[][][] offsets;   // sequence-number offsets, same shape
        int batches;
        int cursor = -1;
        long round = 1;      // round 0 is used to fill the store
        byte[] current;

        @Setup(Level.Trial)
        public void generate() {
            if (identities % BATCH != 0) {
                throw new IllegalArgumentException("identities must be a multiple of " + BATCH);
            }
            batches = identities / BATCH;
            bodies = new byte[2][batches][];
            offsets = new int[2][batches][BATCH];
            EventGridBodies gen = new EventGridBodies(HUBS);
            for (int parity = 0; parity < 2; parity++) {
                for (int b = 0; b < batches; b++) {
                    gen.batch((long) b * BATCH, BATCH, identities, parity, offsets[parity][b]);
                    bodies[parity][b] = gen.copy();
                }
            }
        }

        /** The body of batch {@code b} at {@code r}. */
        byte[] at(int b, long r) {
            int parity = (int) (r & 1);
            byte[] body = bodies[parity][b];
            EventGridBodies.patchRound(body, offsets[parity][b], BATCH, r);
            return body;
        }

        /** Not measured: picks and patches the next body. */
        @Setup(Level.Invocation)
        public void next() {
            if (++cursor == batches) {
                cursor = 0;
                round++;
            }
            current = at(cursor, round);
        }
    }

    /** A store filled with every identity (round 0), for the direct single-thread path. */
    @State(Scope.Thread)
    public static class Direct {
        final EventGridParser parser = new EventGridParser();
        StateStore store;
        long notApplied;

        @Setup(Level.Trial)
        public void fill(Bodies bodies) throws BodyException {
            store = new StateStore(100, new CriticalDevices(List.of()), 1000);
            for (int b = 0; b < bodies.batches; b++) {
                byte[] body = bodies.at(b, 0);
                for (ConnectionEvent e : parser.parse(body, 0, body.length).events()) {
                    store.apply(e, EventSource.WEBHOOK, true);
                }
            }
            if (store.size() != bodies.identities) {
                throw new IllegalStateException("store holds " + store.size() + " identities, expected " + bodies.identities);
            }
        }

        @TearDown(Level.Trial)
        public void check() {
            if (notApplied != 0) {
                throw new IllegalStateException(notApplied + " events did not apply: the benchmark input is wrong");
            }
        }
    }

    /** A running StateWriter (fsync off, temp dir) whose store holds every identity. */
    @State(Scope.Thread)
    public static class Writer {
        final EventGridParser parser = new EventGridParser();
        @SuppressWarnings("unchecked")
        final CompletableFuture<ApplyResult>[] inFlight = new CompletableFuture[WINDOW];
        int slot;
        long notApplied;
        Path dir;
        StateWriter writer;

        @Setup(Level.Trial)
        public void start(Bodies bodies) throws Exception {
            dir = Files.createTempDirectory("bench-writer");
            StateStore store = new StateStore(100, new CriticalDevices(List.of()), 1000);
            writer = new StateWriter(new StateWriter.Options(dir, false, Duration.ofMinutes(5), 64L << 20, 4096),
                    store, Clock.systemUTC());
            writer.recover();
            writer.start();
            for (int b = 0; b < bodies.batches; b++) {
                byte[] body = bodies.at(b, 0);
                writer.submit(parser.parse(body, 0, body.length).events(), EventSource.WEBHOOK, null).join();
            }
        }

        void await(CompletableFuture<ApplyResult> f) {
            if (f != null) {
                notApplied += BATCH - f.join().applied();
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            for (CompletableFuture<ApplyResult> f : inFlight) {
                await(f);
            }
            writer.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            if (notApplied != 0) {
                throw new IllegalStateException(notApplied + " events did not apply: the benchmark input is wrong");
            }
        }
    }

    private static final JsonFactory PLAIN = new JsonFactory();

    /** Baseline: Jackson's streaming tokenizer over the same bytes, nothing else. */
    @Benchmark
    public int tokenize(Bodies in) throws IOException {
        int tokens = 0;
        try (JsonParser p = PLAIN.createParser(in.current, 0, in.current.length)) {
            while (p.nextToken() != null) {
                tokens++;
            }
        }
        return tokens;
    }

    /**
     * Decomposition step between {@link #tokenize} and {@link #parse}: the same tokenizer loop, but the values of
     * the seven fields EventGridParser reads (eventType, eventTime, topic, sequenceNumber, hubName, deviceId,
     * moduleId) are decoded into Jackson's text buffer, as EventGridParser must. No validation, no objects.
     */
    @Benchmark
    public int tokenizeDecodeRead(Bodies in) throws IOException {
        int chars = 0;
        try (JsonParser p = PLAIN.createParser(in.current, 0, in.current.length)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_STRING) {
                    switch (p.currentName()) {
                        case "eventType", "eventTime", "topic", "sequenceNumber", "hubName", "deviceId", "moduleId" ->
                                chars += p.getTextLength();
                        default -> {
                            // left undecoded, as tokenize does
                        }
                    }
                }
            }
        }
        return chars;
    }

    /** Parse + validate into ConnectionEvents, no state. */
    @Benchmark
    public ParsedBatch parse(Bodies in, Direct d) throws BodyException {
        return d.parser.parse(in.current, 0, in.current.length);
    }

    /** Parse + validate + order + apply, one thread, no journal. */
    @Benchmark
    public int parseApply(Bodies in, Direct d) throws BodyException {
        List<ConnectionEvent> events = d.parser.parse(in.current, 0, in.current.length).events();
        int applied = 0;
        for (int i = 0, n = events.size(); i < n; i++) {
            if (d.store.apply(events.get(i), EventSource.WEBHOOK, true) == StateStore.Outcome.APPLIED) {
                applied++;
            }
        }
        d.notApplied += BATCH - applied;
        return applied;
    }

    /** Parse here, apply + journal (fsync off) on the StateWriter thread; two threads. */
    @Benchmark
    public void parseSubmitWriter(Bodies in, Writer w) throws BodyException {
        List<ConnectionEvent> events = w.parser.parse(in.current, 0, in.current.length).events();
        int s = w.slot;
        w.await(w.inFlight[s]);
        w.inFlight[s] = w.writer.submit(events, EventSource.WEBHOOK, null);
        w.slot = (s + 1) % WINDOW;
    }

    /** Self-check without JMH: the bodies parse, and a round applies completely. */
    public static void main(String[] args) throws Exception {
        Bodies b = new Bodies();
        b.identities = 1000;
        b.generate();
        Direct d = new Direct();
        d.fill(b);
        ParseApplyBenchmark bench = new ParseApplyBenchmark();
        long tokens = 0;
        for (int i = 0; i < 2 * b.batches; i++) {
            b.next();
            tokens += bench.tokenize(b);
            bench.parseApply(b, d);
        }
        d.check();
        System.out.println("ok: " + d.store.size() + " identities, " + tokens + " tokens, body " + b.current.length
                + " bytes, first event: " + new String(b.current, 0, Math.min(b.current.length, 520),
                java.nio.charset.StandardCharsets.US_ASCII));
    }
}
