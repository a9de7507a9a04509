package io.github.iothubexporter.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.iothubexporter.model.EventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code deadletter.jsonl} under the state directory: one JSON line per unusable input with its reason, so
 * nothing bad disappears without a trace. Written on its own thread and fsynced before the input is
 * acknowledged; rotates to {@code deadletter.1.jsonl} at the configured size.
 */
public final class DeadLetterLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterLog.class);
    public static final String FILE = "deadletter.jsonl";
    /** Raw input kept per entry; longer inputs are cut (and say so). */
    static final int MAX_RAW = 64 * 1024;
    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final long maxBytes;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dead-letters");
        t.setDaemon(true);
        return t;
    });

    public DeadLetterLog(Path dir, long maxBytes) {
        this.file = dir.resolve(FILE);
        this.maxBytes = maxBytes;
    }

    public Path file() {
        return file;
    }

    /** One dead letter: an element of {@code raw} (a JSON value) or the whole raw body (text). */
    public record Entry(EventSource source, RejectReason reason, String message, byte[] raw, int start, int end,
                        boolean rawIsJson, String context) {
    }

    public CompletableFuture<Void> append(List<Entry> entries) {
        if (entries.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        long now = System.currentTimeMillis();
        return CompletableFuture.runAsync(() -> write(entries, now), executor);
    }

    private void write(List<Entry> entries, long now) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Entry e : entries) {
                try (JsonGenerator g = JSON.createGenerator(out)) {
                    g.writeStartObject();
                    g.writeStringField("time", Instant.ofEpochMilli(now).toString());
                    g.writeStringField("source", e.source().label());
                    g.writeStringField("reason", e.reason().label());
                    g.writeStringField("message", e.message());
                    if (e.context() != null) {
                        g.writeStringField("context", e.context());
                    }
                    int start = Math.max(0, e.start());
                    int end = e.end() < 0 ? e.raw().length : Math.min(e.end(), e.raw().length);
                    int len = end - start;
                    if (e.rawIsJson() && len <= MAX_RAW) {
                        g.writeFieldName("event");
                        g.writeRawValue(new String(e.raw(), start, len, StandardCharsets.UTF_8));
                    } else {
                        g.writeStringField("body", new String(e.raw(), start, Math.min(len, MAX_RAW), StandardCharsets.UTF_8));
                        if (len > MAX_RAW) {
                            g.writeNumberField("bodyBytes", len);
                            g.writeBooleanField("truncated", true);
                        }
                    }
                    g.writeEndObject();
                }
                out.write('\n');
            }
            rotateIfNeeded();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(out.toByteArray());
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(false);
            }
        } catch (IOException ex) {
            LOG.error("Cannot write dead letters to {}: {}", file, ex.toString());
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private void rotateIfNeeded() throws IOException {
        if (Files.exists(file) && Files.size(file) >= maxBytes) {
            Files.move(file, file.resolveSibling("deadletter.1.jsonl"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
