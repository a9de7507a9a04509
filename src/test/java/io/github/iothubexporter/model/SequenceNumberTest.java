package io.github.iothubexporter.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SequenceNumberTest {

    @Test
    void parsesTheDocumentedSample() {
        SequenceNumber s = SequenceNumber.parseOrNull("000000000000000001D4132452F67CE200000002000000000000000000000001");
        assertThat(s).isNotNull();
        assertThat(s.toHex()).isEqualTo("000000000000000001D4132452F67CE200000002000000000000000000000001");
    }

    @Test
    void comparesAsUnsigned256BitNumbersLikeBigInteger() {
        Random rnd = new Random(7);
        for (int i = 0; i < 5000; i++) {
            String a = randomHex(rnd), b = rnd.nextInt(10) == 0 ? a : mutate(a, rnd);
            int expected = Integer.signum(new BigInteger(a, 16).compareTo(new BigInteger(b, 16)));
            assertThat(Integer.signum(SequenceNumber.parseOrNull(a).compareTo(SequenceNumber.parseOrNull(b))))
                    .as("%s vs %s", a, b).isEqualTo(expected);
        }
    }

    @Test
    void caseDoesNotMatter() {
        String upper = "000000000000000001D4132452F67CE2000000020000000000000000000000FF";
        assertThat(SequenceNumber.parseOrNull(upper.toLowerCase())).isEqualTo(SequenceNumber.parseOrNull(upper));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "01", "000000000000000001D4132452F67CE20000000200000000000000000000001",
            "000000000000000001D4132452F67CE2000000020000000000000000000000011",
            "000000000000000001D4132452F67CE20000000200000000000000000000000G",
            "000000000000000001D4132452F67CE20000000200000000000000000000000-",
            "000000000000000001D4132452F67CE20000000200000000000000000000000 ",
            "00000000000000000１D4132452F67CE20000000200000000000000000000001"})
    void rejectsAnythingButSixtyFourHexDigits(String s) {
        assertThat(SequenceNumber.parseOrNull(s)).isNull();
    }

    private static String randomHex(Random rnd) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            sb.append("0123456789ABCDEF".charAt(rnd.nextInt(16)));
        }
        return sb.toString();
    }

    private static String mutate(String s, Random rnd) {
        char[] c = s.toCharArray();
        c[rnd.nextInt(64)] = "0123456789ABCDEF".charAt(rnd.nextInt(16));
        return new String(c);
    }
}
