package io.github.iothubexporter.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Appends the simulator's ground truth to a file ({@code simulator.truthFile}), one JSON object per line, so a
 * classifier, a dashboard or an alert rule can be checked against what really happened. The simulator's thread
 * only queues (it waits if the disk falls far behind, never the HTTP event loops); a thread of its own writes,
 * flushes to the OS at least every second (a crash loses at most that), and fsyncs on close.
 */
public final class TruthFileWriter implements Consumer<DisconnectTruth>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TruthFileWriter.class);
    static final long FLUSH_MILLIS = 1000;
    private static final int QUEUE = 65_536;
    private static final JsonFactory JSON = new JsonFactory();
    /** Queued by {@link #close()}: everything before it is written. */
    private static final DisconnectTruth END = new DisconnectTruth("", "", "", "", "", "", 0, 0, 0, 0, false);

    private final Path file;
    private final FileOutputStream stream;
    private final JsonGenerator json;
    private final BlockingQueue<DisconnectTruth> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean failed;

    private TruthFileWriter(Path file) throws IOException {
        this.file = file;
        this.stream = new FileOutputStream(file.toFile(), true);
        this.json = JSON.createGenerator(new BufferedOutputStream(stream, 64 * 1024));
        json.setRootValueSeparator(null); // lines end with our '\n', no space before the next object
        this.thread = new Thread(this::run, "sim-truth-writer");
        thread.setDaemon(true);
    }

    /** Opens (creating or appending to) {@code file} and starts the writer thread. */
    public static TruthFileWriter open(Path file) throws IOException {
        TruthFileWriter w = new TruthFileWriter(file);
        w.thread.start();
        return w;
    }

    public Path file() {
        return file;
    }

    /** Lines written so far (flushed or not). */
    public long written() {
        return written.get();
    }

    /** Truths not written: told after close or after a write error. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void accept(DisconnectTruth truth) {
        if (closed || failed) {
            dropped.incrementAndGet();
            return;
        }
        try {
            queue.put(truth);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the simulator is stopping
            dropped.incrementAndGet();
        }
    }

    private void run() {
        List<DisconnectTruth> batch = new ArrayList<>();
        long nextFlush = System.currentTimeMillis() + FLUSH_MILLIS;
        boolean unflushed = false;
        while (true) {
            try {
                DisconnectTruth first = queue.poll(Math.max(1, nextFlush - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, 4096);
                }
            } catch (InterruptedException e) {
                return; // nobody interrupts this thread but the JVM going down
            }
            boolean end = !batch.isEmpty() && batch.get(batch.size() - 1) == END;
            for (DisconnectTruth t : batch) {
                if (t != END) {
                    write(t);
                    unflushed = true;
                }
            }
            batch.clear();
            if (end || (unflushed && System.currentTimeMillis() >= nextFlush)) {
                flush();
                unflushed = false;
            }
            if (System.currentTimeMillis() >= nextFlush) {
                nextFlush = System.currentTimeMillis() + FLUSH_MILLIS;
            }
            if (end) {
                return;
            }
        }
    }

    private void write(DisconnectTruth t) {
        if (failed) {
            dropped.incrementAndGet();
            return;
        }
        try {
            json.writeStartObject();
            json.writeStringField("hub", t.hub());
            json.writeStringField("deviceId", t.deviceId());
            json.writeStringField("moduleId", t.moduleId());
            json.writeStringField("kind", t.kind());
            json.writeStringField("cause", t.cause());
            json.writeStringField("sdk", t.sdk());
            json.writeBooleanField("visible", t.visible());
            time("down", t.downMillis());
            time("up", t.upMillis());
            time("lastHeard", t.lastHeardMillis());
            time("linkUp", t.linkUpMillis());
            json.writeEndObject();
            json.writeRaw('\n');
            written.incrementAndGet();
        } catch (IOException e) {
            fail(e);
            dropped.incrementAndGet();
        }
    }

    private void time(String name, long millis) throws IOException {
        json.writeStringField(name, Instant.ofEpochMilli(millis).toString());
        json.writeNumberField(name + "Millis", millis);
    }

    private void flush() {
        if (failed) {
            return;
        }
        try {
            json.flush();
        } catch (IOException e) {
            fail(e);
        }
    }

    private void fail(IOException e) {
        if (!failed) {
            failed = true;
            LOG.error("Cannot write the simulator's ground truth to {}; further truth is dropped: {}", file, e.toString());
        }
    }

    /** Writes what is queued, fsyncs and closes; later truths are dropped. Call it after the simulator stopped. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(END);
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (!failed) {
                json.flush();
                stream.getFD().sync();
            }
        } catch (IOException e) {
            fail(e);
        } finally {
            try {
                json.close(); // closes the file stream too
            } catch (IOException e) {
                LOG.warn("Closing {}: {}", file, e.toString());
            }
        }
        LOG.info("Simulator ground truth: {} lines written to {}{}", written.get(), file,
                dropped.get() > 0 ? " (" + dropped.get() + " not written)" : "");
    }
}
