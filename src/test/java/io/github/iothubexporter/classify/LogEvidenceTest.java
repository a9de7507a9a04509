package io.github.iothubexporter.classify;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.model.EventSource;
import io.github.iothubexporter.model.SequenceNumber;
import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.DeviceFact;
import io.github.iothubexporter.state.StateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Connections log records as evidence: they arrive minutes after the events and still decide the kind. */
class LogEvidenceTest {
    static final long T0 = 1_750_000_000_000L;
    static final long MIN = 60_000;
    private StateStore store;
    private DisconnectClassifier classifier;
    private final List<Decision> decisions = new ArrayList<>();
    private long seq;

    @BeforeEach
    void setUp() {
        store = new StateStore(10, new CriticalDevices(List.of()), 0);
        classifier = new DisconnectClassifier(ClassificationSettings.defaults(Duration.ofSeconds(180)).withLogWait(Duration.ofMinutes(10)),
                10, new SdkVersionTable());
        classifier.addListener(decisions::add);
        store.observer(classifier);
    }

    private void event(boolean connected, long time) {
        store.apply(new ConnectionEvent("hub", "d", "", connected, new SequenceNumber(0, 0, 0, ++seq), time), EventSource.WEBHOOK, true);
    }

    private String apply(DeviceFact fact) {
        store.applyFact(fact, true);
        return store.factKind(fact);
    }

    private String record(long time, int operation, boolean error, int code) {
        return apply(new DeviceFact("hub", "d", "", time, operation, error, code, 0, ""));
    }

    private String connectRecord(long time, SdkFamily family, String version) {
        return apply(new DeviceFact("hub", "d", "", time, DeviceFact.CONNECT, false, 0, family.ordinal(), version));
    }

    @Test
    void theRenewalSignatureDecidesEvenWhenTheTimingDoesNot() {
        event(true, T0);
        connectRecord(T0 - 5_000, SdkFamily.JAVA, "1.30.1");
        long down = T0 + 33 * MIN; // a non-default lifetime nobody has learned yet
        event(false, down);
        event(true, down + MIN);
        assertThat(decisions).isEmpty(); // waiting for the logs
        // minutes later the records arrive: 401003 then 404104
        assertThat(record(down - 20_000, DeviceFact.DISCONNECT, true, 401003)).isEqualTo("token_renewal");
        assertThat(record(down - 19_000, DeviceFact.DISCONNECT, true, 404104)).isEqualTo("token_renewal");
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.TOKEN_RENEWAL);
        assertThat(decisions.get(0).sdk()).isEqualTo(SdkFamily.JAVA);
        assertThat(classifier.stats().disconnectCounts()).singleElement()
                .satisfies(c -> assertThat(classifier.versions().name(c.version())).isEqualTo("1.30.1"));
    }

    @Test
    void anErrorWithoutTheRenewalSignatureIsTransientEvenAtTheRenewalAge() {
        event(true, T0);
        connectRecord(T0, SdkFamily.DOTNET, "1.42.0");
        long down = T0 + 70 * MIN;
        event(false, down);
        event(true, down + MIN);
        record(down - 30_000, DeviceFact.DISCONNECT, true, 404104);
        connectRecord(down + 20_000, SdkFamily.DOTNET, "1.42.0"); // the reconnect's record completes the evidence
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.TRANSIENT);
        assertThat(record(down - 30_000, DeviceFact.DISCONNECT, true, 404104)).as("its records count as transient").isEqualTo("transient");
    }

    @Test
    void withoutEvidenceTheTimingDecidesWhenTheWaitIsOver() {
        event(true, T0);
        connectRecord(T0, SdkFamily.NODE, "1.18.0");
        long down = T0 + 45 * MIN;
        event(false, down);
        event(true, down + MIN);
        store.advanceWatermark(down + MIN + 9 * MIN, true);
        assertThat(decisions).isEmpty();
        store.advanceWatermark(down + MIN + 10 * MIN, true);
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.TOKEN_RENEWAL);
        // a clean-close record arriving later still finds its kind
        assertThat(record(down - 10_000, DeviceFact.DISCONNECT, false, 0)).isEqualTo("token_renewal");
    }

    @Test
    void genuineOutagesDoNotWaitForLogs() {
        event(true, T0);
        long down = T0 + 10 * MIN;
        event(false, down);
        store.advanceWatermark(down + 181_000, true);
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.GENUINE);
        assertThat(record(down - 5_000, DeviceFact.DISCONNECT, true, 404104)).isEqualTo("genuine");
        assertThat(record(down - 600_000, DeviceFact.DISCONNECT, true, 404104)).as("far from any disconnect").isEqualTo("unknown");
    }

    @Test
    void aSecondDisconnectDoesNotCutTheWaitShortButWithoutRecordsItIsTransient() {
        event(true, T0);
        long down = T0 + 20 * MIN;
        event(false, down);
        event(true, down + MIN);
        event(false, down + 3 * MIN);
        assertThat(decisions).as("the first one still waits for its records").isEmpty();
        store.advanceWatermark(down + MIN + 10 * MIN, true);
        assertThat(decisions).filteredOn(d -> d.disconnectMillis() == down).extracting(Decision::kind)
                .containsExactly(DisconnectKind.TRANSIENT);
    }

    @Test
    void aRenewalJustBeforeTheNextDropIsStillARenewalOnceItsRecordsArrive() {
        event(true, T0);
        connectRecord(T0, SdkFamily.NODE, "1.18.0");
        long down = T0 + 20 * MIN; // not Node's 45 min: only the records can tell
        event(false, down);
        event(true, down + MIN);
        event(false, down + 2 * MIN); // a regional drop right after the renewal
        record(down - 10_000, DeviceFact.DISCONNECT, false, 0); // Node renews with an informational close
        connectRecord(down + 20_000, SdkFamily.NODE, "1.18.0");
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.TOKEN_RENEWAL);
    }

    @Test
    void aFlapMergedIntoOneOutageIsMeasuredFromTheDropTheSnapshotReported() {
        event(true, T0);
        connectRecord(T0, SdkFamily.PYTHON, "2.12.0");
        long down = T0 + 20 * MIN;
        event(false, down);
        event(true, down + 180_000); // snapshots: exactly the grace window
        record(down - 11_000, DeviceFact.DISCONNECT, true, 404104); // the drop the snapshot at 'down' reported
        connectRecord(down + 10_000, SdkFamily.PYTHON, "2.12.0"); // back briefly...
        record(down + 23_000, DeviceFact.DISCONNECT, true, 404104); // ...and down again before a snapshot saw it
        assertThat(decisions).as("a connect long before the reconnect's snapshot is not its end").isEmpty();
        connectRecord(down + 170_000, SdkFamily.PYTHON, "2.12.0"); // the hub saw 181 s offline
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.GENUINE);
    }

    @Test
    void anEarlierFlapThatTheSnapshotsMissedDoesNotLengthenTheOutage() {
        event(true, T0);
        connectRecord(T0, SdkFamily.PYTHON, "2.12.0");
        long down = T0 + 20 * MIN;
        event(false, down);
        event(true, down + 180_000);
        record(down - 55_000, DeviceFact.DISCONNECT, true, 404104); // a flap inside one snapshot window...
        connectRecord(down - 45_000, SdkFamily.PYTHON, "2.12.0");
        record(down - 5_000, DeviceFact.DISCONNECT, true, 404104); // ...then the drop the snapshot reported
        connectRecord(down + 150_000, SdkFamily.PYTHON, "2.12.0"); // 155 s offline
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.TRANSIENT);
    }

    @Test
    void aRenewalMergedWithALongerFlapOnTheEdgeOfTheWindowIsGenuine() {
        event(true, T0);
        connectRecord(T0, SdkFamily.DOTNET, "1.42.0");
        long down = T0 + 70 * MIN;
        event(false, down);
        event(true, down + 180_000);
        record(down - 20_000, DeviceFact.DISCONNECT, true, 401003);
        record(down - 19_000, DeviceFact.DISCONNECT, true, 404104);
        assertThat(decisions).as("on the edge of the window, the renewal signature alone does not settle it").isEmpty();
        connectRecord(down + 20_000, SdkFamily.DOTNET, "1.42.0");
        record(down + 40_000, DeviceFact.DISCONNECT, true, 404104); // the network went, right after the renewal
        connectRecord(down + 175_000, SdkFamily.DOTNET, "1.42.0");
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.GENUINE);
    }

    @Test
    void aReconnectIoTHubReportedOnlyAtTheFirstMessageEndsTheOutageAtThatReport() {
        event(true, T0);
        connectRecord(T0, SdkFamily.DOTNET, "1.42.0");
        long down = T0 + 70 * MIN;
        event(false, down);
        event(true, down + 180_000); // the snapshot after the device's first message on its new connection
        record(down - 20_000, DeviceFact.DISCONNECT, true, 401003); // the renewal...
        record(down - 19_000, DeviceFact.DISCONNECT, true, 404104);
        connectRecord(down + 5_000, SdkFamily.DOTNET, "1.42.0"); // ...reconnected at once, but silent for minutes
        assertThat(decisions).isEmpty();
        store.advanceWatermark(down + 180_000 + 30 * MIN, true);
        // for IoT Hub's connection state the device was away from down - 19 s to down + 180 s
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.GENUINE);
    }

    @Test
    void aRenewalReportedLateButWithinTheWindowStaysARenewal() {
        event(true, T0);
        connectRecord(T0, SdkFamily.DOTNET, "1.42.0");
        long down = T0 + 70 * MIN;
        event(false, down);
        event(true, down + 120_000);
        record(down - 20_000, DeviceFact.DISCONNECT, true, 401003);
        record(down - 19_000, DeviceFact.DISCONNECT, true, 404104);
        connectRecord(down + 5_000, SdkFamily.DOTNET, "1.42.0");
        store.advanceWatermark(down + 120_000 + 30 * MIN, true);
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.TOKEN_RENEWAL);
    }

    @Test
    void aLateReportedRenewalIsMeasuredFromThe404104NotThe401003() {
        event(true, T0);
        connectRecord(T0, SdkFamily.DOTNET, "1.42.0");
        long down = T0 + 70 * MIN;
        event(false, down);
        event(true, down + 120_000);
        connectRecord(down - 50_000, SdkFamily.DOTNET, "1.42.0"); // back at once, reported only at its first message
        record(down - 60_500, DeviceFact.DISCONNECT, true, 401003); // 180.5 s before the report...
        assertThat(decisions).as("the renewal signature alone does not say when the connection ended").isEmpty();
        record(down - 59_600, DeviceFact.DISCONNECT, true, 404104); // ...but the hub closed it 179.6 s before
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.TOKEN_RENEWAL);
    }

    @Test
    void onTheEdgeOfTheWindowTheWaitForRecordsIsLonger() {
        event(true, T0);
        connectRecord(T0, SdkFamily.NODE, "1.18.0");
        long down = T0 + 20 * MIN;
        event(false, down);
        long up = down + 180_000;
        event(true, up);
        store.advanceWatermark(up + 10 * MIN + 1, true);
        assertThat(decisions).as("three times classification.logWait").isEmpty();
        record(down - 30_000, DeviceFact.DISCONNECT, true, 404104); // Log Analytics' long tail
        connectRecord(up - 10_000, SdkFamily.NODE, "1.18.0");
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.GENUINE);
        event(false, up + 40 * MIN);
        event(true, up + 43 * MIN);
        store.advanceWatermark(up + 43 * MIN + 30 * MIN + 1, true);
        assertThat(decisions).hasSize(2);
    }

    @Test
    void flappingDevicesAndDuplicateIdentitiesAreListedPerHub() {
        event(true, T0);
        long t = T0;
        for (int i = 0; i < 5; i++) {
            t += 7 * MIN;
            event(false, t);
            event(true, t + MIN);
            record(t - 10_000, DeviceFact.DISCONNECT, true, 404104);
            connectRecord(t + 30_000, SdkFamily.JAVA, "2.4.0");
        }
        assertThat(classifier.flapping().countActive("hub")).isEqualTo(1);
        assertThat(classifier.flapping().active()).singleElement().satisfies(e -> assertThat(e.count()).isEqualTo(5));
        assertThat(classifier.duplicateIdentities().countActive("hub")).isZero();
        record(t + 30 * MIN, DeviceFact.DISCONNECT, true, 400027);
        assertThat(classifier.duplicateIdentities().active()).singleElement().satisfies(e -> assertThat(e.device()).isEqualTo("d"));
        // an hour later, both have expired
        store.advanceWatermark(t + 3 * 3600_000, true);
        assertThat(classifier.flapping().countActive("hub")).isZero();
        assertThat(classifier.duplicateIdentities().countActive("hub")).isZero();
    }

    @Test
    void recordsArrivingBeforeTheirEventsStillCount() {
        event(true, T0);
        connectRecord(T0, SdkFamily.DOTNET, "1.42.0");
        long down = T0 + 33 * MIN;
        // the logs are here first (the events were delayed)
        record(down - 20_000, DeviceFact.DISCONNECT, true, 401003);
        record(down - 19_000, DeviceFact.DISCONNECT, true, 404104);
        event(false, down);
        event(true, down + MIN);
        store.advanceWatermark(down + 20 * MIN, true);
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.TOKEN_RENEWAL);
    }

    @Test
    void theHubsOwnTimesResolveOutagesThatSnapshotsBlurIntoTheGraceWindow() {
        event(true, T0);
        connectRecord(T0, SdkFamily.NODE, "1.18.0");
        long down = T0 + 20 * MIN;
        event(false, down);
        event(true, down + 180_000); // snapshots: exactly the grace window
        assertThat(record(down - 50_000, DeviceFact.DISCONNECT, true, 404104)).isEqualTo("unknown"); // waits for the reconnect's record
        connectRecord(down + 165_000, SdkFamily.NODE, "1.18.0"); // the hub saw 215 s of outage
        assertThat(decisions).extracting(Decision::kind).containsExactly(DisconnectKind.GENUINE);
    }

    @Test
    void recordsForUnknownDevicesCountAsUnknown() {
        assertThat(apply(new DeviceFact("hub", "ghost", "", T0, DeviceFact.DISCONNECT, true, 404104, 0, ""))).isEqualTo("unknown");
    }
}
