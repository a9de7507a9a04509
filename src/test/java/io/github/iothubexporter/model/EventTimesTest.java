package io.github.iothubexporter.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;

class EventTimesTest {

    @ParameterizedTest
    @ValueSource(strings = {"2018-06-02T19:17:44.4383997Z", "2018-07-03T23:20:11.6921933+00:00", "2024-02-29T00:00:00Z",
            "2022-06-01T18:43:04.5561024Z", "1999-12-31T23:59:59.999-05:30", "2030-01-01T00:00:00.1+14:00",
            "2018-12-17T18:11:25Z", "2026-11-26T05:31:07.123456789Z"})
    void agreesWithJavaTime(String s) {
        assertThat(EventTimes.parseMillis(s)).isEqualTo(OffsetDateTime.parse(s).toInstant().toEpochMilli());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "2018-06-02", "2018-06-02T19:17:44", "2018-13-02T19:17:44Z",
            "2018-02-30T19:17:44Z", "2018-06-02T24:17:44Z", "2018-06-02T19:17:44.Z", "2018-06-02T19:17:44ZZ",
            "2018-06-02T19:17:44+0000x", "2018-06-02T19:17:44.1234567890Z"})
    void rejectsUnparsableTimes(String s) {
        assertThat(EventTimes.parseMillis(s)).isEqualTo(EventTimes.INVALID);
    }
}
