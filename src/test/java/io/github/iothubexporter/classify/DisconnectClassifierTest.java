package io.github.iothubexporter.classify;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.SequenceNumber;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Table-driven scenarios on the real state store with the classifier installed. */
class DisconnectClassifierTest {
    static final long T0 = 1_750_000_000_000L;
    static final long MIN = 60_000;
    private StateStore store;
    private DisconnectClassifier classifier;
    private final List<Decision> decisions = new ArrayList<>();
    private final java.util.Map<String, Long> seq = new java.util.HashMap<>();

    @BeforeEach
    void setUp() {
        store = new StateStore(10, new CriticalDevices(List.of("crit")), 10);
        classifier = new DisconnectClassifier(ClassificationSettings.defaults(Duration.ofSeconds(180)), 10, new SdkVersionTable());
        classifier.addListener(decisions::add);
        store.observer(classifier);
    }

    private void event(String device, boolean connected, long time) {
        long n = seq.merge(device, 1L, Long::sum);
        eventWithSeq(device, connected, time, n * 10);
    }

    private void eventWithSeq(String device, boolean connected, long time, long s) {
        store.apply(new ConnectionEvent("hub", device, "", connected, new SequenceNumber(0, 1, 2, s), time), EventSource.WEBHOOK, true);
        store.advanceWatermark(Math.max(store.watermark(), time - 4_000), true);
    }

    private void sdk(String device, SdkFamily family) {
        int addr = store.fields().find("hub", device, "");
        store.fields().sdk(addr, family.ordinal(), classifier.versions().intern("1.0.0"));
    }

    private void watermark(long t) {
        store.advanceWatermark(t, true);
    }

    private List<DisconnectKind> kinds() {
        return decisions.stream().map(Decision::kind).toList();
    }

    @ParameterizedTest(name = "{0} connected {1} min, back after {2} s: {3}")
    @CsvSource({
            "DOTNET, 70, 60, TOKEN_RENEWAL",
            "DOTNET, 69, 20, TOKEN_RENEWAL",
            "JAVA, 71, 120, TOKEN_RENEWAL",
            "NODE, 45, 60, TOKEN_RENEWAL",
            "PYTHON, 58, 60, TOKEN_RENEWAL",
            "DOTNET, 140, 60, TOKEN_RENEWAL",  // one renewal in between was invisible (inside a snapshot)
            "NODE, 90, 60, TOKEN_RENEWAL",
            "DOTNET, 33, 60, TRANSIENT",
            "NODE, 70, 60, TRANSIENT",         // another SDK's period is not this one's
            "PYTHON, 45, 120, TRANSIENT",
            "DOTNET, 70, 180, TOKEN_RENEWAL",  // exactly the grace window
            "DOTNET, 70, 181, GENUINE",
            "JAVA, 5, 600, GENUINE",
            "UNKNOWN, 45, 60, TOKEN_RENEWAL",  // no SDK known: any SDK's default period
            "UNKNOWN, 20, 60, TRANSIENT"})
    void singleDisconnect(SdkFamily family, int connectedMinutes, int backAfterSeconds, DisconnectKind expected) {
        event("d", true, T0);
        sdk("d", family);
        long down = T0 + connectedMinutes * MIN;
        event("d", false, down);
        event("d", true, down + backAfterSeconds * 1000L);
        watermark(down + 3600_000);
        assertThat(kinds()).containsExactly(expected);
        assertThat(decisions.get(0).disconnectMillis()).isEqualTo(down);
    }

    @Test
    void genuineIsDecidedWhenTheGraceWindowRunsOutAndTheDeviceCountsAsOffline() {
        event("d", true, T0);
        event("d", false, T0 + 10 * MIN);
        watermark(T0 + 10 * MIN + 179_000);
        assertThat(decisions).isEmpty();
        watermark(T0 + 10 * MIN + 180_001);
        assertThat(kinds()).containsExactly(DisconnectKind.GENUINE);
        assertThat(decisions.get(0).reconnectMillis()).isEqualTo(-1);
        assertThat(classifier.stats().offline(0)).isEqualTo(1);
        event("d", true, T0 + 40 * MIN);
        assertThat(kinds()).containsExactly(DisconnectKind.GENUINE); // not counted twice
        assertThat(classifier.stats().offline(0)).isZero();
        long[] buckets = classifier.stats().buckets(0, DisconnectKind.GENUINE);
        assertThat(buckets[8]).as("a 30 min reconnect lands in the le=1800 bucket").isEqualTo(1);
    }

    @Test
    void aReconnectArrivingAfterTheWindowRanOutKeepsTheGenuineDecision() {
        event("d", true, T0);
        event("d", false, T0 + 10 * MIN);
        watermark(T0 + 20 * MIN);
        // late delivery of a connect that happened 60 s after the drop
        event("d", true, T0 + 11 * MIN);
        assertThat(kinds()).containsExactly(DisconnectKind.GENUINE);
        assertThat(classifier.stats().offline(0)).isZero();
    }

    @Test
    void outOfOrderInsideTheGraceWindow() {
        event("d", true, T0);
        sdk("d", SdkFamily.DOTNET);
        // the reconnect (seq 30) arrives before the disconnect (seq 20)
        eventWithSeq("d", true, T0 + 71 * MIN, 30);
        eventWithSeq("d", false, T0 + 70 * MIN, 20);
        watermark(T0 + 2 * 3600_000);
        assertThat(kinds()).containsExactly(DisconnectKind.TOKEN_RENEWAL);
        assertThat(classifier.stats().offline(0)).isZero();
    }

    @Test
    void flapInsideOneSnapshotWindowShowsAsTheSameStateTwice() {
        event("d", true, T0);
        sdk("d", SdkFamily.NODE);
        event("d", true, T0 + 45 * MIN);
        event("d", true, T0 + 50 * MIN);
        assertThat(kinds()).containsExactly(DisconnectKind.TOKEN_RENEWAL, DisconnectKind.TRANSIENT);
    }

    @Test
    void aDeviceFirstSeenDisconnectedIsGenuineOnceTheWindowRunsOut() {
        event("d", false, T0);
        watermark(T0 + 10 * MIN);
        assertThat(kinds()).containsExactly(DisconnectKind.GENUINE);
        assertThat(decisions.get(0).ageSeconds()).isEqualTo(-1);
    }

    @Test
    void aNonDefaultTokenLifetimeIsLearned() {
        event("d", true, T0);
        sdk("d", SdkFamily.JAVA);
        long t = T0;
        for (int i = 0; i < 6; i++) {
            t += 30 * MIN;
            event("d", false, t);
            t += MIN;
            event("d", true, t);
        }
        // seen once, then confirmed: from the third on it is renewal
        assertThat(kinds()).containsExactly(DisconnectKind.TRANSIENT, DisconnectKind.TRANSIENT, DisconnectKind.TOKEN_RENEWAL,
                DisconnectKind.TOKEN_RENEWAL, DisconnectKind.TOKEN_RENEWAL, DisconnectKind.TOKEN_RENEWAL);
    }

    @Test
    void randomFlapsDoNotLookPeriodic() {
        event("d", true, T0);
        sdk("d", SdkFamily.DOTNET);
        long t = T0;
        int[] ages = {17, 41, 23, 29, 19, 52, 26, 37};
        for (int a : ages) {
            t += a * MIN;
            event("d", false, t);
            t += MIN;
            event("d", true, t);
        }
        assertThat(kinds()).containsOnly(DisconnectKind.TRANSIENT);
    }

    @Test
    void criticalDevicesShowTheirGenuineOutage() {
        event("crit", true, T0);
        event("crit", false, T0 + MIN);
        watermark(T0 + 10 * MIN);
        assertThat(store.stats().criticalDevices()).singleElement().satisfies(c -> assertThat(c.offline()).isTrue());
        event("crit", true, T0 + 20 * MIN);
        assertThat(store.stats().criticalDevices()).singleElement().satisfies(c -> assertThat(c.offline()).isFalse());
    }

    @Test
    void disconnectCountersCarryTheSdk() {
        event("d", true, T0);
        sdk("d", SdkFamily.PYTHON);
        event("d", false, T0 + 58 * MIN);
        event("d", true, T0 + 59 * MIN);
        assertThat(classifier.stats().disconnectCounts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(DisconnectKind.TOKEN_RENEWAL);
            assertThat(SdkFamily.ofOrdinal(c.sdk())).isEqualTo(SdkFamily.PYTHON);
            assertThat(classifier.versions().name(c.version())).isEqualTo("1.0.0");
            assertThat(c.count()).isEqualTo(1);
        });
    }
}
