package io.github.iothubexporter.model;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Parses the ISO-8601 times of Event Grid and resource logs ("2018-06-02T19:17:44.4383997Z",
 * "2018-07-03T23:20:11.6921933+00:00") to epoch milliseconds without allocating on the common path.
 */
public final class EventTimes {
    public static final long INVALID = Long.MIN_VALUE;

    private EventTimes() {
    }

    public static long parseMillis(CharSequence s) {
        int n = s.length();
        char[] buf = new char[n];
        for (int i = 0; i < n; i++) {
            buf[i] = s.charAt(i);
        }
        return parseMillis(buf, 0, n);
    }

    /** Returns epoch milliseconds, or {@link #INVALID}. */
    public static long parseMillis(char[] b, int off, int len) {
        // yyyy-MM-ddTHH:mm:ss is 19 characters, then optional fraction, then Z or +hh:mm / -hh:mm
        if (len < 20 || len > 40) {
            return INVALID;
        }
        int year = digits(b, off, 4);
        int month = digits(b, off + 5, 2);
        int day = digits(b, off + 8, 2);
        int hour = digits(b, off + 11, 2);
        int minute = digits(b, off + 14, 2);
        int second = digits(b, off + 17, 2);
        if ((year | month | day | hour | minute | second) < 0
                || b[off + 4] != '-' || b[off + 7] != '-' || (b[off + 10] != 'T' && b[off + 10] != 't')
                || b[off + 13] != ':' || b[off + 16] != ':') {
            return slowPath(b, off, len);
        }
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59
                || second > 59) {
            return INVALID;
        }
        int i = off + 19;
        int end = off + len;
        int millis = 0;
        if (b[i] == '.') {
            i++;
            int digits = 0;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                if (digits < 3) {
                    millis = millis * 10 + (b[i] - '0');
                }
                digits++;
                i++;
            }
            if (digits == 0 || digits > 9) {
                return INVALID;
            }
            for (int d = digits; d < 3; d++) {
                millis *= 10;
            }
        }
        if (i >= end) {
            return INVALID; // no zone: ambiguous, IoT Hub always sends one
        }
        int offsetSeconds;
        char z = b[i];
        if ((z == 'Z' || z == 'z') && i + 1 == end) {
            offsetSeconds = 0;
        } else if ((z == '+' || z == '-') && i + 6 == end && b[i + 3] == ':') {
            int oh = digits(b, i + 1, 2);
            int om = digits(b, i + 4, 2);
            if (oh < 0 || om < 0 || oh > 18 || om > 59) {
                return INVALID;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
        } else {
            return INVALID;
        }
        long days = daysFromCivil(year, month, day);
        long epochSeconds = days * 86400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSeconds * 1000L + millis;
    }

    private static long slowPath(char[] b, int off, int len) {
        try {
            return OffsetDateTime.parse(new String(b, off, len)).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return INVALID;
        }
    }

    private static int digits(char[] b, int off, int count) {
        int v = 0;
        for (int i = 0; i < count; i++) {
            char c = b[off + i];
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        switch (month) {
            case 2:
                return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil-from-days inverse). */
    static long daysFromCivil(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    public static String format(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
