package io.github.iothubexporter.classify;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * @param grace           a disconnect not followed by a connect within this is genuine
 * @param tolerance       how far a connection's age may be from a renewal period and still match it
 *                        (connection-state events are 60 s snapshots, so ages are known to about ±1 min)
 * @param renewalSeconds  per SDK family, the connection age at which it renews (0 = never disconnects to renew)
 * @param logWait         with a Connections log source, how long (event time) a reconnect within the grace window
 *                        waits for log evidence (401003, 404104, clean close) before being classified; 0 = none
 */
public record ClassificationSettings(Duration grace, Duration tolerance, Map<SdkFamily, Integer> renewalSeconds,
                                     Duration logWait) {

    public static ClassificationSettings defaults(Duration grace) {
        Map<SdkFamily, Integer> periods = new EnumMap<>(SdkFamily.class);
        for (SdkFamily f : SdkFamily.values()) {
            periods.put(f, f.defaultRenewalSeconds());
        }
        return new ClassificationSettings(grace, Duration.ofSeconds(150), periods, Duration.ZERO);
    }

    public ClassificationSettings withLogWait(Duration wait) {
        return new ClassificationSettings(grace, tolerance, renewalSeconds, wait);
    }
}
