package io.github.iothubexporter.grafana;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.SequenceNumber;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Device-ID variables: a walk over the device table on the writer thread, one page per step here, while events keep coming. */
class GrafanaDeviceSearchTest {
    static final long T = 1_750_000_000_000L;
    @TempDir
    Path dir;
    StateWriter writer;
    final List<String> ids = new ArrayList<>();

    @BeforeEach
    void fill() throws Exception {
        writer = new StateWriter(new StateWriter.Options(dir, false, Duration.ofDays(1), 1L << 40, 1024),
                new StateStore(10, new CriticalDevices(List.of()), 0), Clock.systemUTC());
        writer.recover();
        writer.start();
        for (int i = 0; i < 30_000; i++) {
            ids.add(String.format("dev-%05d", i));
        }
        Collections.shuffle(ids, new Random(7));
        List<ConnectionEvent> batch = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            batch.add(new ConnectionEvent(i % 3 == 0 ? "hub-b" : "hub-a", ids.get(i), i % 10 == 0 ? "mod" : "", true,
                    new SequenceNumber(0, 0, 0, 1), T));
            if (batch.size() == 1000) {
                writer.submit(batch, EventSource.WEBHOOK, null).get();
                batch = new ArrayList<>();
            }
        }
    }

    @AfterEach
    void close() throws Exception {
        writer.close();
    }

    private List<String> expected(String hub, String prefix, int limit) {
        TreeSet<String> out = new TreeSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String h = i % 3 == 0 ? "hub-b" : "hub-a";
            if ((hub == null || hub.equals(h)) && ids.get(i).startsWith(prefix)) {
                out.add(ids.get(i));
            }
        }
        return out.stream().limit(limit).toList();
    }

    @Test
    void findsTheSmallestMatchingIdsOverSeveralStepsWhileEventsFlow() throws Exception {
        DeviceSearch search = new DeviceSearch(writer, 1);
        // new identities keep arriving during the walk; the ones that existed at its start are all seen
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 50; i++) {
                writer.submit(List.of(new ConnectionEvent("hub-a", "zz-" + i, "", true, new SequenceNumber(0, 0, 0, 1), T)),
                        EventSource.WEBHOOK, null).join();
            }
        });
        assertThat(search.devices(null, "dev-1", 1000).get()).isEqualTo(expected(null, "dev-1", 1000));
        traffic.get();
        assertThat(search.lastSteps).as("the walk was split").isGreaterThan(2);
        assertThat(search.devices("hub-b", "dev-2", 17).get()).isEqualTo(expected("hub-b", "dev-2", 17));
        assertThat(search.devices(null, "", 5).get()).containsExactly("dev-00000", "dev-00001", "dev-00002", "dev-00003", "dev-00004");
        assertThat(search.devices("hub-a", "nothing", 10).get()).isEmpty();
        assertThat(search.devices("no-such-hub", "", 10).get()).isEmpty();
    }

    @Test
    void answersAreCachedBriefly() throws Exception {
        DeviceSearch search = new DeviceSearch(writer);
        CompletableFuture<List<String>> first = search.devices(null, "dev-0", 10);
        assertThat(search.devices(null, "dev-0", 10)).isSameAs(first);
        assertThat(search.devices(null, "dev-0", 11)).isNotSameAs(first);
        assertThat(first.get()).isEqualTo(expected(null, "dev-0", 10));
    }
}
