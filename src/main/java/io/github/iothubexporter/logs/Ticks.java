package io.github.iothubexporter.logs;

/**
 * Times in 100-nanosecond ticks since the Unix epoch: the precision of Log Analytics' {@code datetime}
 * and {@code ingestion_time()}, so windows and de-duplication never lose a record to rounding.
 */
final class Ticks {
    static final long PER_SECOND = 10_000_000L;
    static final long PER_MILLI = 10_000L;
    static final long INVALID = Long.MIN_VALUE;

    private Ticks() {
    }

    static long ofMillis(long millis) {
        return millis * PER_MILLI;
    }

    static long toMillis(long ticks) {
        return Math.floorDiv(ticks, PER_MILLI);
    }

    static long floorSecond(long ticks) {
        return Math.floorDiv(ticks, PER_SECOND) * PER_SECOND;
    }

    /**
     * Parses "2024-05-01T10:15:40.1234567Z" (fraction of 0 to 9 digits, 'Z' or ±hh:mm) to ticks, or
     * {@link #INVALID}. Digits past the seventh are dropped.
     */
    static long parse(String s) {
        if (s == null) {
            return INVALID;
        }
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return INVALID;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1 || day > 31
                || hour > 23 || minute > 59 || second > 59) {
            return INVALID;
        }
        int i = 19;
        long fraction = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int count = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (count < 7) {
                    fraction = fraction * 10 + (s.charAt(i) - '0');
                }
                count++;
                i++;
            }
            if (count == 0) {
                return INVALID;
            }
            for (int d = count; d < 7; d++) {
                fraction *= 10;
            }
        }
        long offsetSeconds;
        if (i == n - 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || om < 0) {
                return INVALID;
            }
            offsetSeconds = (oh * 3600L + om * 60L) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return INVALID;
        }
        if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return INVALID;
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        long epochSeconds = days * 86400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSeconds * PER_SECOND + fraction;
    }

    private static int digits(String s, int off, int count) {
        int v = 0;
        for (int i = 0; i < count; i++) {
            char c = s.charAt(off + i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
