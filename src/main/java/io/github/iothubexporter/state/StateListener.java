package io.github.iothubexporter.state;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;

/** Told about every live event the state writer applies, on the writer thread. Must not block. */
public interface StateListener {
    void applied(ConnectionEvent event, EventSource source, long nowMillis);
}
