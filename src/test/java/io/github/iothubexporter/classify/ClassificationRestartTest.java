package io.github.iothubexporter.classify;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.SequenceNumber;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.DeviceFact;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Pending decisions survive restarts, and replaying the journal reproduces every live decision. */
class ClassificationRestartTest {
    static final long T0 = 1_750_000_000_000L;
    static final long MIN = 60_000;
    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(T0);

    private final class Node {
        final StateStore store = new StateStore(10, new CriticalDevices(List.of()), 0);
        final DisconnectClassifier classifier;
        final List<Decision> decisions = new CopyOnWriteArrayList<>();
        final StateWriter writer;

        Node(long journalLimit) throws Exception {
            this(journalLimit, Duration.ZERO);
        }

        Node(long journalLimit, Duration logWait) throws Exception {
            classifier = new DisconnectClassifier(ClassificationSettings.defaults(Duration.ofSeconds(180)).withLogWait(logWait),
                    10, new SdkVersionTable());
            classifier.addListener(decisions::add);
            store.observer(classifier);
            Clock clock = new Clock() {
                @Override
                public java.time.ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return Instant.ofEpochMilli(now.get());
                }
            };
            writer = new StateWriter(new StateWriter.Options(dir, true, Duration.ofDays(3650), journalLimit, 64,
                    Duration.ofSeconds(4)), store, clock);
            writer.recover();
            writer.start();
        }

        void send(String device, boolean connected, long seq, long time) throws Exception {
            now.set(Math.max(now.get(), time));
            writer.submit(List.of(new ConnectionEvent("hub", device, "", connected, new SequenceNumber(0, 0, 1, seq), time)),
                    EventSource.WEBHOOK, null).get();
        }

        void record(String device, long time, int operation, boolean error, int code) throws Exception {
            writer.submitFacts(List.of(new DeviceFact("hub", device, "", time, operation, error, code, 0, "")), null).get();
        }

        List<String> live() {
            return decisions.stream().filter(Decision::live).map(ClassificationRestartTest::key).toList();
        }

        List<String> replayed() {
            return decisions.stream().filter(d -> !d.live()).map(ClassificationRestartTest::key).toList();
        }
    }

    static String key(Decision d) {
        return d.deviceId() + "@" + d.disconnectMillis() + "=" + d.kind();
    }

    private static void crash(StateWriter w) throws Exception {
        var halt = StateWriter.class.getDeclaredMethod("halt");
        halt.setAccessible(true);
        halt.invoke(w);
    }

    @Test
    void aRestartInsideTheGraceWindowStillSeesTheReconnect() throws Exception {
        Node a = new Node(1L << 30);
        a.send("d", true, 1, T0);
        a.send("d", false, 2, T0 + 70 * MIN);
        crash(a.writer);
        Node b = new Node(1L << 30);
        try {
            b.send("d", true, 3, T0 + 71 * MIN);
            assertThat(b.live()).containsExactly("d@" + (T0 + 70 * MIN) + "=TOKEN_RENEWAL");
            assertThat(b.classifier.stats().offline(0)).isZero();
        } finally {
            b.writer.close();
        }
    }

    @Test
    void aRestartInsideTheGraceWindowStillDecidesGenuine() throws Exception {
        Node a = new Node(1L << 30);
        a.send("d", true, 1, T0);
        a.send("d", false, 2, T0 + 30 * MIN);
        crash(a.writer);
        Node b = new Node(1 << 16);
        try {
            now.set(T0 + 34 * MIN); // the clock runs on while nothing arrives
            await().atMost(Duration.ofSeconds(5)).until(() -> !b.live().isEmpty());
            assertThat(b.live()).containsExactly("d@" + (T0 + 30 * MIN) + "=GENUINE");
            assertThat(b.classifier.stats().offline(0)).isEqualTo(1);
        } finally {
            b.writer.close();
        }
        Node c = new Node(1 << 16); // from the snapshot written at close
        try {
            assertThat(c.classifier.stats().offline(0)).isEqualTo(1);
            c.send("d", true, 3, T0 + 50 * MIN);
            assertThat(c.live()).isEmpty(); // already counted before the restart
            assertThat(c.classifier.stats().offline(0)).isZero();
        } finally {
            c.writer.close();
        }
    }

    @Test
    void aDisconnectStillWaitingForItsRecordsWhenTheDeviceDroppedAgainSurvivesARestart() throws Exception {
        Node a = new Node(1L << 30, Duration.ofMinutes(10));
        long down = T0 + 20 * MIN;
        a.send("d", true, 1, T0);
        a.send("d", false, 2, down);
        a.send("d", true, 3, down + 180_000); // on the edge of the grace window: only the records can tell
        a.send("d", false, 4, down + 300_000); // dropped again: the first one waits on in the deferred set
        a.send("d", true, 5, down + 330_000);
        a.writer.close(); // the snapshot holds the deferred decision; the journal after it is empty
        Node b = new Node(1L << 30, Duration.ofMinutes(10));
        try {
            assertThat(b.replayed()).isEmpty();
            b.record("d", down - 10_000, DeviceFact.DISCONNECT, true, 404104);
            b.record("d", down + 175_000, DeviceFact.CONNECT, false, 0); // the hub saw 185 s offline
            assertThat(b.live()).containsExactly("d@" + down + "=GENUINE");
        } finally {
            b.writer.close();
        }
    }

    @Test
    void theFlappingListSurvivesARestartFromASnapshot() throws Exception {
        Node a = new Node(1L << 30);
        a.send("d", true, 1, T0);
        long t = T0;
        for (int i = 0; i < 5; i++) {
            t += 7 * MIN;
            a.send("d", false, 2 + 2 * i, t);
            a.send("d", true, 3 + 2 * i, t + MIN);
        }
        assertThat(a.classifier.flapping().countActive("hub")).isEqualTo(1);
        a.writer.close(); // snapshot: the journal that built the list is gone
        Node b = new Node(1L << 30);
        try {
            assertThat(b.replayed()).isEmpty();
            assertThat(b.classifier.flapping().countActive("hub")).isEqualTo(1);
        } finally {
            b.writer.close();
        }
    }

    @Test
    void aGenuineOutageIsCountedWithinGracePlusFiveSecondsWhenCaughtUp() throws Exception {
        Node a = new Node(1L << 30);
        try {
            a.send("d", true, 1, T0);
            a.send("d", false, 2, T0 + MIN);
            now.set(T0 + MIN + 180_000 + 3_000); // caught up, nothing else arrives
            Thread.sleep(600);
            assertThat(a.live()).as("not before grace + lateness").isEmpty();
            now.set(T0 + MIN + 180_000 + 4_500);
            await().atMost(Duration.ofSeconds(1)).until(() -> !a.live().isEmpty()); // the writer re-checks every 200 ms
            assertThat(a.live()).containsExactly("d@" + (T0 + MIN) + "=GENUINE");
        } finally {
            a.writer.close();
        }
    }

    @Test
    void replayingTheJournalMakesTheSameDecisionsAsLive() throws Exception {
        Random rnd = new Random(5);
        List<long[]> events = new ArrayList<>(); // device, connected, seq, time
        for (int d = 0; d < 40; d++) {
            long t = T0 + rnd.nextInt(60) * 1000L;
            boolean connected = false;
            for (int i = 1; i < 30; i++) {
                connected = !connected;
                t += connected ? (rnd.nextInt(4) == 0 ? 10 * MIN + rnd.nextInt(60) * MIN : MIN) : (rnd.nextInt(3) == 0 ? 70 * MIN : rnd.nextInt(90) * MIN + MIN);
                events.add(new long[]{d, connected ? 1 : 0, i, t});
            }
        }
        events.sort((x, y) -> Long.compare(x[3], y[3]));
        // Event Grid-like local disorder: swap neighbours now and then
        for (int i = 1; i < events.size(); i++) {
            if (rnd.nextInt(5) == 0) {
                Collections.swap(events, i - 1, i);
            }
        }
        Node a = new Node(1L << 30);
        for (long[] e : events) {
            a.send("dev-" + e[0], e[1] == 1, e[2], e[3]);
        }
        List<String> live = a.live();
        assertThat(live).hasSizeGreaterThan(200);
        assertThat(live).anyMatch(s -> s.endsWith("GENUINE")).anyMatch(s -> s.endsWith("TOKEN_RENEWAL"))
                .anyMatch(s -> s.endsWith("TRANSIENT"));
        long offline = a.classifier.stats().offline(0);
        crash(a.writer);
        Node b = new Node(1L << 30);
        try {
            assertThat(b.replayed()).containsExactlyElementsOf(live);
            assertThat(b.classifier.stats().offline(0)).isEqualTo(offline);
        } finally {
            b.writer.close();
        }
    }
}
