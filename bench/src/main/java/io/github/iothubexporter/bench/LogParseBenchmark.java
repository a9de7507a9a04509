package io.github.iothubexporter.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.iothubexporter.logs.ConnectionLogParser;
import io.github.iothubexporter.logs.ConnectionLogRecord;
import io.github.iothubexporter.logs.ParsedRecords;
import io.github.iothubexporter.logs.RecordRejectedException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Connections-record parse throughput, one thread (so the scores are records per second per core), side by side
 * with Jackson merely tokenizing the same bytes:
 * <ul>
 * <li>{@code parseRecordsBody}: {@link ConnectionLogParser#parseRecordsBody} on a {"records":[...]} body of 1,000
 *     records (the Event Hubs / simulator path): envelope, nested properties string, nested authType string,
 *     validation, records built;</li>
 * <li>{@code jacksonTokenizeBody}: {@code nextToken()} over the same body, nothing decoded (the floor);</li>
 * <li>{@code jacksonTokenizeBodyAndNested}: the same plus tokenizing each properties string and its authType string
 *     (the floor for what has to be read);</li>
 * <li>{@code parseLogAnalyticsRows}: {@link ConnectionLogParser#parseRow} on the same 1,000 records as the
 *     Log Analytics query returns them (one string per column).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class LogParseBenchmark {
    static final int RECORDS = 1000;
    private static final JsonFactory JACKSON = new JsonFactory();
    private final ConnectionLogParser parser = new ConnectionLogParser();
    private byte[] body;
    private String[][] rows;

    @Setup
    public void setup() {
        body = ConnectionRecords.recordsBody(RECORDS, 42);
        Random rnd = new Random(42);
        rows = new String[RECORDS][];
        Instant t = Instant.parse("2026-03-01T10:00:00.1234567Z");
        for (int i = 0; i < RECORDS; i++) {
            ConnectionRecords.Fields f = ConnectionRecords.fields(rnd, i, t.plusMillis(i * 37L));
            rows[i] = new String[]{f.time(), ConnectionRecords.RESOURCE.toLowerCase(), f.operation(), f.level(), f.resultType(),
                    f.resultDescription(), f.properties()};
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int parseRecordsBody() throws Exception {
        ParsedRecords r = parser.parseRecordsBody(body, 0, body.length);
        if (r.records().size() != RECORDS) {
            throw new IllegalStateException("parsed " + r.records().size());
        }
        return r.records().size();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int jacksonTokenizeBody() throws Exception {
        int tokens = 0;
        try (JsonParser p = JACKSON.createParser(body)) {
            while (p.nextToken() != null) {
                tokens++;
            }
        }
        return tokens;
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int jacksonTokenizeBodyAndNested() throws Exception {
        int tokens = 0;
        try (JsonParser p = JACKSON.createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                tokens++;
                if (t == JsonToken.VALUE_STRING && "properties".equals(p.currentName())) {
                    tokens += nested(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                }
            }
        }
        return tokens;
    }

    private static int nested(char[] buf, int off, int len) throws Exception {
        int tokens = 0;
        try (JsonParser q = JACKSON.createParser(buf, off, len)) {
            JsonToken t;
            while ((t = q.nextToken()) != null) {
                tokens++;
                if (t == JsonToken.VALUE_STRING && "authType".equals(q.currentName())) {
                    try (JsonParser a = JACKSON.createParser(q.getTextCharacters(), q.getTextOffset(), q.getTextLength())) {
                        while (a.nextToken() != null) {
                            tokens++;
                        }
                    }
                }
            }
        }
        return tokens;
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void parseLogAnalyticsRows(Blackhole bh) throws RecordRejectedException {
        for (String[] r : rows) {
            ConnectionLogRecord rec = parser.parseRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
            bh.consume(rec);
        }
    }
}
