package io.github.iothubexporter.state;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.github.iothubexporter.state.StateStoreTest.ev;
import static org.assertj.core.api.Assertions.assertThat;

class StateWriterTest {
    @TempDir
    Path dir;

    private StateWriter writer(long snapshotJournalBytes) throws Exception {
        StateWriter w = new StateWriter(new StateWriter.Options(dir, true, Duration.ofHours(1), snapshotJournalBytes, 64),
                new StateStore(10, new CriticalDevices(List.of("d-1*")), 100), Clock.systemUTC());
        w.recover();
        w.start();
        return w;
    }

    private static List<ConnectionEvent> batch(int from, int n, long seq, boolean connected) {
        List<ConnectionEvent> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(ev("hub-" + (i % 2), "d-" + i, i % 5 == 0 ? "m" : "", connected, seq, 1000L * seq));
        }
        return out;
    }

    @Test
    void stateSurvivesAnUncleanStopThroughTheJournal() throws Exception {
        StateWriter a = writer(1L << 30);
        a.submit(batch(0, 500, 1, true), EventSource.WEBHOOK, Map.of("eventhubs/p0", "42".getBytes(StandardCharsets.UTF_8))).get();
        ApplyResult r = a.submit(batch(0, 100, 2, false), EventSource.WEBHOOK, null).get();
        assertThat(r.applied()).isEqualTo(100);
        a.halt(); // as after kill -9: no final snapshot, only what was acknowledged (fsynced) is on disk
        StateWriter b = writer(1L << 30);
        try {
            StateStats s = b.store().stats();
            assertThat(s.totalTracked()).isEqualTo(500);
            assertThat(s.totalConnected()).isEqualTo(400);
            assertThat(new String(b.read(st -> st.meta("eventhubs/p0")).get(), StandardCharsets.UTF_8)).isEqualTo("42");
            assertThat(b.store().stats().criticalDevices()).isNotEmpty();
            // replaying the same input changes nothing
            ApplyResult again = b.submit(batch(0, 500, 1, true), EventSource.WEBHOOK, null).get();
            assertThat(again.applied()).isZero();
            assertThat(again.duplicates() + again.outOfOrder()).isEqualTo(500);
            assertThat(s.totalConnected()).isEqualTo(400);
        } finally {
            b.close();
        }
    }

    @Test
    void snapshotsPlusJournalTailRestoreEverything() throws Exception {
        StateWriter a = writer(1 << 16); // tiny journal limit: many snapshots
        for (int round = 1; round <= 20; round++) {
            a.submit(batch(0, 1000, round, round % 2 == 0), EventSource.WEBHOOK, null).get();
        }
        a.submit(batch(1000, 10, 1, true), EventSource.WEBHOOK, null).get();
        assertThat(Files.exists(dir.resolve("snapshot.bin"))).isTrue();
        a.halt();
        StateWriter b = writer(1 << 16);
        try {
            assertThat(b.store().stats().totalTracked()).isEqualTo(1010);
            assertThat(b.store().stats().totalConnected()).isEqualTo(1010);
            assertThat(b.read(st -> st.lookup("hub-1", "d-7", "")).get().sequenceNumber())
                    .isEqualTo(ev("x", "y", "", true, 20, 0).sequenceNumber());
        } finally {
            b.close();
        }
    }

    @Test
    void aTornJournalTailIsIgnored() throws Exception {
        StateWriter a = writer(1L << 30);
        a.submit(batch(0, 50, 1, true), EventSource.WEBHOOK, null).get();
        a.halt();
        Path segment = Journal.segments(dir).stream().map(n -> Journal.segmentPath(dir, n)).reduce((x, y) -> y).orElseThrow();
        // an unacknowledged half-written frame at the end
        Files.write(segment, new byte[]{0, 0, 0, 40, 1, 2, 3, 4, 1, 0}, StandardOpenOption.APPEND);
        StateWriter b = writer(1L << 30);
        try {
            assertThat(b.store().stats().totalConnected()).isEqualTo(50);
            b.submit(batch(50, 5, 1, true), EventSource.WEBHOOK, null).get();
        } finally {
            b.close();
        }
        StateWriter c = writer(1L << 30);
        try {
            assertThat(c.store().stats().totalConnected()).isEqualTo(55);
        } finally {
            c.close();
        }
    }

    @Test
    void aSecondWriterOnTheSameDirectoryIsRefused() throws Exception {
        StateWriter a = writer(1L << 30);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer(1L << 30))
                    .hasMessageContaining("in use by another exporter process");
        } finally {
            a.close();
        }
    }

    @Test
    void cleanCloseWritesASnapshotAndTrimsTheJournal() throws Exception {
        StateWriter a = writer(1L << 30);
        a.submit(batch(0, 100, 1, true), EventSource.WEBHOOK, null).get();
        a.close();
        assertThat(Files.exists(dir.resolve("snapshot.bin"))).isTrue();
        StateWriter b = writer(1L << 30);
        try {
            assertThat(b.store().stats().totalConnected()).isEqualTo(100);
        } finally {
            b.close();
        }
    }
}
