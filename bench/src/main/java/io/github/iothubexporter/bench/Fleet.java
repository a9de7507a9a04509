package io.github.iothubexporter.bench;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.SequenceNumber;
import io.github.iothubexporter.state.StateStore;

/** Fills a {@link StateStore} with synthetic identities, the same ones {@link EventGridBodies} writes. */
final class Fleet {
    private Fleet() {
    }

    /**
     * Applies one event (round 0) for each identity {@code 0 … identities-1}: device {@code meter-%07d},
     * hub {@code i % hubs}, a module for one identity in ten, half of them connected.
     */
    static void fill(StateStore store, int identities, int hubs) {
        long baseMillis = 1_741_944_000_000L; // 2025-03-14T09:20:00Z
        for (int i = 0; i < identities; i++) {
            ConnectionEvent e = new ConnectionEvent(EventGridBodies.HUBS[i % hubs], EventGridBodies.deviceId(i),
                    EventGridBodies.moduleId(i), EventGridBodies.connected(i, 0),
                    new SequenceNumber(0x01D4132452F67CE2L, 0, 0x0000000200000000L, i), baseMillis + i);
            StateStore.Outcome o = store.apply(e, EventSource.WEBHOOK, true);
            if (o != StateStore.Outcome.APPLIED) {
                throw new IllegalStateException("identity " + i + ": " + o);
            }
        }
        if (store.size() != identities) {
            throw new IllegalStateException("store holds " + store.size() + " identities, expected " + identities);
        }
    }
}
