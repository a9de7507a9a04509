package io.github.iothubexporter.logs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fans Connections records out to every registered listener, in registration order. Record sources hand their
 * batches here; the default listener is {@link LogMetrics} (counting with {@code kind="unknown"}), which disconnect
 * classification can replace with itself.
 */
public final class ConnectionLogListeners implements ConnectionLogListener {
    private final List<ConnectionLogListener> listeners = new CopyOnWriteArrayList<>();

    public void add(ConnectionLogListener listener) {
        listeners.add(listener);
    }

    public boolean remove(ConnectionLogListener listener) {
        return listeners.remove(listener);
    }

    @Override
    public void onRecords(List<ConnectionLogRecord> records, String source) {
        for (ConnectionLogListener l : listeners) {
            l.onRecords(records, source);
        }
    }
}
