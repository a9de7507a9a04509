package io.github.iothubexporter.sim;

import io.github.iothubexporter.logs.ConnectionLogRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A device whose network goes silent is dropped by the hub only at 1.5 × its MQTT keep-alive after its last
 * activity (capped at 1767 s), with a 404104 record at that moment (iothub-facts §5).
 */
class KeepAliveTimeoutTest {
    static SimulatedDay day;
    static List<DisconnectTruth> timeouts;

    @BeforeAll
    static void simulate() {
        day = SimulatedDay.run(2000, 17, 24);
        timeouts = day.truths.stream().filter(t -> t.cause().equals("keepalive_timeout")).toList();
    }

    @Test
    void theHubDropsASilentDeviceAtOneAndAHalfTimesItsSdksKeepAlive() {
        assertThat(day.rejected).isZero();
        Map<String, List<Long>> delaysBySdk = new TreeMap<>();
        for (DisconnectTruth t : timeouts) {
            delaysBySdk.computeIfAbsent(t.sdk(), k -> new ArrayList<>()).add(t.downMillis() - t.lastHeardMillis());
        }
        // the SDKs' own defaults, then the devices that raised or lowered theirs (120 s; 1200 s is capped at 1767 s)
        Map<String, Long> expected = Map.of("dotnet", 450_000L, "java", 345_000L, "node", 270_000L, "python", 90_000L,
                "c", 360_000L, "embedded_c", 360_000L);
        assertThat(delaysBySdk.keySet()).as("every SDK that speaks MQTT here").containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((sdk, millis) -> {
            assertThat(delaysBySdk.get(sdk)).as(sdk).contains(millis);
            assertThat(delaysBySdk.get(sdk)).as(sdk).isSubsetOf(millis, 180_000L, 1_767_000L);
        });
        assertThat(timeouts).as("a keep-alive of 1200 s times out at the 1767 s cap, not 1800 s")
                .anyMatch(t -> t.downMillis() - t.lastHeardMillis() == 1_767_000L);
    }

    @Test
    void eachTimeoutIsLoggedAsA404104WhenTheHubGivesUpAndNotBefore() {
        assertThat(timeouts).hasSizeGreaterThan(300);
        for (DisconnectTruth t : timeouts) {
            List<ConnectionLogRecord> drops = day.records(t.deviceId()).stream()
                    .filter(r -> r.operation().equals(ConnectionLogRecord.DEVICE_DISCONNECT))
                    .filter(r -> r.timeMillis() >= t.lastHeardMillis() && r.timeMillis() <= t.downMillis())
                    .toList();
            assertThat(drops).as("%s", t).hasSize(1);
            ConnectionLogRecord drop = drops.get(0);
            assertThat(drop.timeMillis()).as("%s", t).isEqualTo(t.downMillis());
            assertThat(drop.error()).isTrue();
            assertThat(drop.resultType()).isEqualTo("404104");
            assertThat(drop.resultDescription()).isEqualTo("DeviceConnectionClosedRemotely");
            assertThat(drop.protocol()).as("keep-alive is MQTT's").isIn("Mqtt", "MqttWs");
        }
    }

    @Test
    void theDeviceComesBackWhenItsNetworkDoesSometimesWithinTheGraceWindow() {
        Set<String> kinds = new java.util.HashSet<>();
        for (DisconnectTruth t : timeouts) {
            long outage = t.upMillis() - t.downMillis();
            String expected = outage > SimulatedDay.GRACE_MS ? "genuine" : "transient";
            assertThat(t.kind()).as("%s", t).isEqualTo(expected);
            kinds.add(t.kind());
        }
        assertThat(kinds).containsExactlyInAnyOrder("transient", "genuine");
        long visibleShort = timeouts.stream().filter(t -> t.visible() && t.kind().equals("transient")).count();
        assertThat(visibleShort).as("short ones that IoT Hub's snapshots show, for the classifier to call transient").isPositive();
    }
}
