package io.github.iothubexporter.state;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.SequenceNumber;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class StateStoreTest {

    static ConnectionEvent ev(String hub, String dev, String mod, boolean connected, long seq, long time) {
        return new ConnectionEvent(hub, dev, mod, connected, new SequenceNumber(0, 0x01D4132452F67CE2L, 0x0000000200000000L, seq), time);
    }

    private static StateStore store() {
        return new StateStore(10, new CriticalDevices(List.of("crit-*", "hub-b/vip")), 100);
    }

    @Test
    void highestSequenceNumberWinsRegardlessOfArrivalOrTime() {
        StateStore s = store();
        assertThat(s.apply(ev("h", "d", "", true, 5, 1000), EventSource.WEBHOOK, true)).isEqualTo(StateStore.Outcome.APPLIED);
        assertThat(s.apply(ev("h", "d", "", false, 3, 9000), EventSource.WEBHOOK, true)).isEqualTo(StateStore.Outcome.OUT_OF_ORDER);
        assertThat(s.apply(ev("h", "d", "", false, 5, 1000), EventSource.WEBHOOK, true)).isEqualTo(StateStore.Outcome.DUPLICATE);
        assertThat(s.stats().connected(0)).isEqualTo(1);
        assertThat(s.apply(ev("h", "d", "", false, 6, 500), EventSource.WEBHOOK, true)).isEqualTo(StateStore.Outcome.APPLIED);
        assertThat(s.stats().connected(0)).isZero();
        assertThat(s.stats().tracked(0)).isEqualTo(1);
        assertThat(s.stats().ignored(0, StateStats.IGNORED_OUT_OF_ORDER)).isEqualTo(1);
        assertThat(s.stats().ignored(0, StateStats.IGNORED_DUPLICATE)).isEqualTo(1);
    }

    @Test
    void modulesAndDevicesAreDistinctIdentities() {
        StateStore s = store();
        s.apply(ev("h", "d", "", true, 1, 0), EventSource.WEBHOOK, true);
        s.apply(ev("h", "d", "m", true, 1, 0), EventSource.WEBHOOK, true);
        s.apply(ev("h", "d", "m2", false, 1, 0), EventSource.WEBHOOK, true);
        assertThat(s.stats().tracked(0)).isEqualTo(3);
        assertThat(s.stats().connected(0)).isEqualTo(2);
        assertThat(s.lookup("H", "d", "m").connected()).isTrue();
        assertThat(s.lookup("h", "d", "m2").connected()).isFalse();
        assertThat(s.lookup("h", "x", "")).isNull();
        assertThat(s.lookup("unknown-hub", "d", "")).isNull();
        assertThat(s.stats().hubs()).containsExactly("h");
    }

    @Test
    void anyPermutationWithDuplicatesEndsInTheSameState() {
        Random rnd = new Random(3);
        List<ConnectionEvent> events = new ArrayList<>();
        for (int d = 0; d < 300; d++) {
            int n = 1 + rnd.nextInt(6);
            for (int i = 1; i <= n; i++) {
                events.add(ev("hub-" + (d % 3), "dev-" + d, d % 7 == 0 ? "mod" : "", rnd.nextBoolean(), i * 3L, rnd.nextInt(1000)));
            }
        }
        StateStore ordered = store();
        events.forEach(e -> ordered.apply(e, EventSource.WEBHOOK, true));
        for (int round = 0; round < 20; round++) {
            List<ConnectionEvent> shuffled = new ArrayList<>(events);
            shuffled.addAll(events.subList(0, 100));
            Collections.shuffle(shuffled, rnd);
            StateStore s = store();
            shuffled.forEach(e -> s.apply(e, EventSource.WEBHOOK, true));
            for (int h = 0; h < 3; h++) {
                int hubInOrdered = List.of(ordered.stats().hubs()).indexOf(s.stats().hubs()[h]);
                assertThat(s.stats().connected(h)).isEqualTo(ordered.stats().connected(hubInOrdered));
                assertThat(s.stats().tracked(h)).isEqualTo(ordered.stats().tracked(hubInOrdered));
            }
            for (int d = 0; d < 300; d++) {
                String mod = d % 7 == 0 ? "mod" : "";
                assertThat(s.lookup("hub-" + (d % 3), "dev-" + d, mod)).isEqualTo(ordered.lookup("hub-" + (d % 3), "dev-" + d, mod));
            }
        }
    }

    @Test
    void hubLimitRejectsNewHubs() {
        StateStore s = new StateStore(2, new CriticalDevices(List.of()), 0);
        s.apply(ev("a", "d", "", true, 1, 0), EventSource.WEBHOOK, true);
        s.apply(ev("b", "d", "", true, 1, 0), EventSource.WEBHOOK, true);
        assertThat(s.apply(ev("c", "d", "", true, 1, 0), EventSource.WEBHOOK, true)).isEqualTo(StateStore.Outcome.TOO_MANY_HUBS);
        assertThat(s.stats().hubs()).containsExactly("a", "b");
    }

    @Test
    void criticalDevicesArePublishedWithTheirLastChange() {
        StateStore s = store();
        s.apply(ev("hub-a", "crit-1", "", true, 1, 1_000), EventSource.WEBHOOK, true);
        s.apply(ev("hub-a", "crit-1", "", true, 2, 2_000), EventSource.WEBHOOK, true);
        s.apply(ev("hub-b", "vip", "", false, 1, 3_000), EventSource.WEBHOOK, true);
        s.apply(ev("hub-a", "vip", "", false, 1, 3_000), EventSource.WEBHOOK, true);
        s.apply(ev("hub-a", "other", "", true, 1, 3_000), EventSource.WEBHOOK, true);
        assertThat(s.stats().criticalDevices()).extracting(StateStats.CriticalState::device, StateStats.CriticalState::connected,
                StateStats.CriticalState::changedMillis).containsExactlyInAnyOrder(
                // connected twice with a new sequence number: it dropped and came back in between
                org.assertj.core.groups.Tuple.tuple("crit-1", true, 2_000L),
                org.assertj.core.groups.Tuple.tuple("vip", false, 3_000L));
    }

    @Test
    void manyIdentitiesStayFindable() {
        StateStore s = new StateStore(3, new CriticalDevices(List.of()), 0);
        for (int i = 0; i < 200_000; i++) {
            s.apply(ev("h" + (i % 3), "device-" + i, i % 10 == 0 ? "m" : "", i % 2 == 0, 1, i), EventSource.WEBHOOK, false);
        }
        assertThat(s.size()).isEqualTo(200_000);
        for (int i = 0; i < 200_000; i += 997) {
            assertThat(s.lookup("h" + (i % 3), "device-" + i, i % 10 == 0 ? "m" : "").connected()).isEqualTo(i % 2 == 0);
        }
    }
}
