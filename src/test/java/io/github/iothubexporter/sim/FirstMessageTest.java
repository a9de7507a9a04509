package io.github.iothubexporter.sim;

import io.github.iothubexporter.logs.ConnectionLogRecord;
import io.github.iothubexporter.model.ConnectionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * .NET and C connections produce no connection-state events until the device's first D2C send or C2D receive
 * (iothub-facts §1.3), while the hub still logs the connect. The truth follows what IoT Hub reports.
 */
class FirstMessageTest {
    static final Set<String> WAITS_FOR_A_MESSAGE = Set.of("dotnet", "c");
    static SimulatedDay day;

    @BeforeAll
    static void simulate() {
        day = SimulatedDay.run(2000, 23, 24);
    }

    @Test
    void onlyDotNetAndCConnectionsAreReportedLaterThanTheyOpen() {
        assertThat(day.rejected).isZero();
        for (DisconnectTruth t : day.truths) {
            assertThat(t.upMillis()).as("%s", t).isGreaterThanOrEqualTo(t.linkUpMillis());
            if (!WAITS_FOR_A_MESSAGE.contains(t.sdk())) {
                assertThat(t.upMillis()).as("%s: subscribes on connect, reported at once", t).isEqualTo(t.linkUpMillis());
            }
        }
        assertThat(day.truths).as("most send within seconds: reported within a snapshot, the outage ended at the logged connect")
                .anyMatch(t -> t.sdk().equals("dotnet") && t.upMillis() == t.linkUpMillis() && t.linkUpMillis() > t.downMillis());
        assertThat(day.truths).as("some only send telemetry every hour or so")
                .anyMatch(t -> t.sdk().equals("dotnet") && t.upMillis() - t.linkUpMillis() > 20 * 60_000)
                .anyMatch(t -> t.sdk().equals("c") && t.upMillis() - t.linkUpMillis() > 20 * 60_000);
    }

    @Test
    void snapshotsReportNothingBeforeTheFirstMessageButTheConnectIsLogged() {
        List<DisconnectTruth> late = day.truths.stream()
                .filter(t -> t.visible() && t.upMillis() - t.linkUpMillis() >= FleetSimulator.SNAPSHOT_MS).toList();
        assertThat(late).hasSizeGreaterThan(100);
        for (DisconnectTruth t : late) {
            ConnectionEvent connected = day.firstConnectedEventAfter(t.deviceId(), t.downMillis());
            assertThat(connected).as("%s", t).isNotNull();
            assertThat(connected.eventTimeMillis()).as("%s: the outage ends at the snapshot that reported the connection", t)
                    .isEqualTo(t.upMillis()).isGreaterThan(t.linkUpMillis() + FleetSimulator.SNAPSHOT_MS);
            assertThat(day.records(t.deviceId())).as("%s: the hub logged the connect when it happened", t)
                    .anyMatch(r -> r.operation().equals(ConnectionLogRecord.DEVICE_CONNECT) && !r.error()
                            && r.timeMillis() == t.linkUpMillis());
        }
    }

    @Test
    void theTruthIsTheOutageIoTHubReports() {
        for (DisconnectTruth t : day.truths) {
            boolean outlastedGrace = t.upMillis() - t.downMillis() > SimulatedDay.GRACE_MS;
            assertThat(t.kind().equals("genuine")).as("%s", t).isEqualTo(outlastedGrace);
        }
        assertThat(day.truths).as("a token renewal IoT Hub saw as a long outage: the device sent nothing for minutes")
                .anyMatch(t -> t.cause().equals("token_renewal") && t.kind().equals("genuine") && t.visible()
                        && t.linkUpMillis() - t.downMillis() < 60_000);
    }

    @Test
    void devicesThatNeverSendAreLoggedButNeverReported() {
        Set<String> silent = new TreeSet<>();
        day.records.forEach((device, records) -> {
            boolean connected = records.stream().anyMatch(r -> r.operation().equals(ConnectionLogRecord.DEVICE_CONNECT) && !r.error());
            if (connected && day.events(device).isEmpty()) {
                silent.add(device);
            }
        });
        assertThat(silent).isNotEmpty().allMatch(d -> d.startsWith("meter-") || d.startsWith("plc-"));
    }
}
