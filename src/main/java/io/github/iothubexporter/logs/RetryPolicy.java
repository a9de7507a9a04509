package io.github.iothubexporter.logs;

import com.azure.core.http.HttpHeaders;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long the poller waits before asking Log Analytics again after a failed poll: the service's own
 * {@code Retry-After} when a 429 carries one, exponential backoff with jitter otherwise. The SDK's retries are off,
 * so this is the only retry policy.
 */
final class RetryPolicy {
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Duration retryAfterMax;
    private final Clock clock;

    RetryPolicy(Duration backoffBase, Duration backoffMax, Duration retryAfterMax, Clock clock) {
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
        this.retryAfterMax = retryAfterMax;
        this.clock = clock;
    }

    /** Exponential backoff with "equal jitter": half of the step fixed, half random. */
    Duration backoff(int failures) {
        long base = backoffBase.toMillis();
        long cap = backoffMax.toMillis();
        long step = failures >= 30 ? cap : Math.min(cap, base << Math.min(30, failures - 1));
        long half = step / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** {@code retry-after-ms}, {@code x-ms-retry-after-ms}, or {@code Retry-After} in seconds or as an HTTP date; capped. */
    Duration retryAfter(HttpHeaders headers) {
        Duration d = null;
        for (String name : new String[]{"retry-after-ms", "x-ms-retry-after-ms"}) {
            String v = headers.getValue(name);
            if (d == null && v != null) {
                try {
                    d = Duration.ofMillis(Math.max(0, (long) Double.parseDouble(v.trim())));
                } catch (NumberFormatException ignored) {
                    // try the next header
                }
            }
        }
        String v = headers.getValue("Retry-After");
        if (d == null && v != null) {
            try {
                d = Duration.ofMillis((long) (Double.parseDouble(v.trim()) * 1000));
            } catch (NumberFormatException notSeconds) {
                try {
                    d = Duration.between(clock.instant(), ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                } catch (DateTimeParseException ignored) {
                    // unusable: fall back to the backoff
                }
            }
        }
        if (d == null) {
            return null;
        }
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        return d.compareTo(retryAfterMax) > 0 ? retryAfterMax : d;
    }
}
