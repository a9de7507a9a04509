package io.github.iothubexporter.grafana;

import io.github.iothubexporter.classify.Decision;
import io.github.iothubexporter.classify.DisconnectKind;
import io.github.iothubexporter.classify.SdkFamily;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The listener side of DisconnectLog, driven directly with the classifier's decisions. */
class GrafanaDisconnectLogTest {
    static final long T = 1_750_000_000_000L;
    final DisconnectLog log = new DisconnectLog(3);

    static Decision d(String hub, String device, DisconnectKind kind, long down, long up) {
        return new Decision(hub, device, "", kind, down, up, 100, SdkFamily.NODE, "1.2", true);
    }

    private static List<String> devices(List<DisconnectLog.Disconnect> list) {
        return list.stream().map(DisconnectLog.Disconnect::deviceId).toList();
    }

    @Test
    void offlineDevicesMergeAcrossHubsOldestFirst() {
        log.classified(d("h1", "a", DisconnectKind.GENUINE, T + 30, -1));
        log.classified(d("h2", "b", DisconnectKind.GENUINE, T + 10, -1));
        log.classified(d("h1", "c", DisconnectKind.GENUINE, T + 20, -1));
        log.classified(d("h2", "d", DisconnectKind.GENUINE, T + 20, -1));
        assertThat(devices(log.offline(h -> true, null, 10).devices())).containsExactly("b", "c", "d", "a");
        DisconnectLog.OfflinePage two = log.offline(h -> true, null, 2);
        assertThat(devices(two.devices())).containsExactly("b", "c");
        assertThat(two.total()).isEqualTo(4);
        DisconnectLog.OfflinePage filtered = log.offline(h -> true, x -> !x.deviceId().equals("c"), 1);
        assertThat(devices(filtered.devices())).containsExactly("b");
        assertThat(filtered.total()).as("counted over every match").isEqualTo(3);
        assertThat(log.offlineCount("h1")).isEqualTo(2);
        log.outageEnded(d("h1", "c", DisconnectKind.GENUINE, T + 20, T + 500));
        assertThat(devices(log.offline(h -> h.equals("h1"), null, 10).devices())).containsExactly("a");
        assertThat(log.offlineCount("h1")).isEqualTo(1);
        assertThat(devices(log.recent(List.of(DisconnectKind.GENUINE), T, T + 1000, h -> true, null, 10)))
                .as("newest first (ties by hub): the ongoing ones and the ended one").containsExactly("a", "c", "d", "b");
        log.restoring();
        assertThat(log.offline(h -> true, null, 10).devices()).isEmpty();
        assertThat(log.offlineCount("h2")).isZero();
    }

    @Test
    void historyIsBoundedPerKindAndFilteredByRange() {
        for (int i = 0; i < 5; i++) {
            log.classified(d("h", "t" + i, DisconnectKind.TRANSIENT, T + i * 100L, T + i * 100L + 30));
        }
        log.classified(d("h", "r", DisconnectKind.TOKEN_RENEWAL, T, T + 20));
        assertThat(devices(log.recent(List.of(DisconnectKind.TRANSIENT), 0, Long.MAX_VALUE, h -> true, null, 10)))
                .as("the three newest of five").containsExactly("t4", "t3", "t2");
        assertThat(devices(log.recent(List.of(DisconnectKind.TRANSIENT), T + 231, T + 310, h -> true, null, 10)))
                .as("t2 ended at +230, t3 began at +300").containsExactly("t3");
        assertThat(devices(log.recent(List.of(DisconnectKind.values()), 0, Long.MAX_VALUE, h -> true, null, 2))).containsExactly("t4", "t3");
        assertThat(devices(log.recent(List.of(DisconnectKind.TOKEN_RENEWAL), 0, Long.MAX_VALUE, h -> true, null, 10))).containsExactly("r");
        DisconnectLog.Disconnect r = log.recent(List.of(DisconnectKind.TOKEN_RENEWAL), 0, Long.MAX_VALUE, h -> true, null, 1).get(0);
        assertThat(r.sdk()).isEqualTo(SdkFamily.NODE);
        assertThat(r.sdkVersion()).isEqualTo("1.2");
        assertThat(r.ongoing()).isFalse();
    }
}
