package io.github.iothubexporter.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * What the parsers of untrusted JSON share: the bounded parser factory, and the wording of their error messages,
 * so senders read the same phrases from every input.
 */
public final class JsonMessages {
    /** Deeper nesting than any documented body has: a malicious or broken one is rejected early. */
    public static final int MAX_DEPTH = 64;

    /** Jackson with limits on nesting, string and number length (request sizes are bounded before this). */
    public static final JsonFactory BOUNDED = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(1 << 20)
                    .maxNumberLength(100)
                    .build())
            .build();

    private JsonMessages() {
    }

    /** "an array", "a string", "null", … for a token (or "nothing" at the end of input). */
    public static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    /** The first line of a Jackson message, without the source-location details that mean nothing to a sender. */
    public static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).replaceAll("\\s*\\(start marker at .*$", "")
                .replaceAll("\\s*at \\[Source: .*$", "");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
