package io.github.iothubexporter.logs;

import io.github.iothubexporter.model.Identifiers;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Every KQL text the Log Analytics poller sends. Two shapes, both over IoT Hub's {@code Connections} records in
 * {@code AzureDiagnostics}, windowed on {@code ingestion_time()} (not {@code TimeGenerated}, which late records
 * would make a watermark skip):
 * <ul>
 * <li>{@link #count}: records per ingestion second in a past window, to find records that became visible after
 *     the window was read (the overlap check);</li>
 * <li>{@link #fetch}: the raw projected records of a window, oldest ingestion first, at most {@code take} rows
 *     (paging), optionally limited to given ingestion seconds below {@code fresh} (the repair of late records).</li>
 * </ul>
 * Values in the text are only numbers, datetimes formatted here, and hub names that passed
 * {@link Identifiers#checkHub} and are escaped as string literals anyway. The workspace ID never enters the
 * text (the SDK puts it in the URL). The result columns are {@link #FETCH_COLUMNS} and {@link #COUNT_COLUMNS};
 * a test checks both texts with Microsoft's Kusto language service against the AzureDiagnostics schema.
 */
public final class KqlQueries {
    public static final List<String> FETCH_COLUMNS = List.of("IngestionTime", "TimeGenerated", "_ResourceId", "OperationName",
            "Level", "ResultType", "ResultDescription", "properties_s");
    public static final List<String> COUNT_COLUMNS = List.of("Second", "Records");
    /** TimeGenerated is at most 2 days older than the record's receipt (older values are replaced): a safe pruning bound. */
    static final long TIME_GENERATED_SLACK_TICKS = 49L * 3600 * Ticks.PER_SECOND;

    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final String hubFilter;

    /** @param hubs hub names to restrict the query to; empty = every hub in the workspace */
    public KqlQueries(List<String> hubs) {
        StringBuilder b = new StringBuilder();
        if (!hubs.isEmpty()) {
            // the hub is the last segment of the resource ID, as the parser reads it; endswith ignores case
            b.append("\n| where ");
            for (int i = 0; i < hubs.size(); i++) {
                String problem = Identifiers.checkHub(hubs.get(i));
                if (problem != null) {
                    throw new IllegalArgumentException("hub '" + hubs.get(i) + "': " + problem);
                }
                b.append(i == 0 ? "" : " or ").append("_ResourceId endswith ")
                        .append(literal("/iothubs/" + hubs.get(i).toLowerCase(Locale.ROOT)));
            }
        }
        this.hubFilter = b.toString();
    }

    private StringBuilder window(long loTicks, long hiTicks) {
        StringBuilder b = new StringBuilder(512);
        b.append("AzureDiagnostics")
                .append("\n| where TimeGenerated >= ").append(datetime(loTicks - TIME_GENERATED_SLACK_TICKS))
                .append("\n| where ResourceProvider == \"MICROSOFT.DEVICES\" and ResourceType == \"IOTHUBS\" and Category == \"Connections\"")
                .append(hubFilter)
                .append("\n| extend IngestionTime = ingestion_time()")
                .append("\n| where IngestionTime >= ").append(datetime(loTicks))
                .append(" and IngestionTime < ").append(datetime(hiTicks));
        return b;
    }

    /** Records per ingestion second with ingestion time in [lo, hi). Columns: {@link #COUNT_COLUMNS}. */
    public String count(long loTicks, long hiTicks) {
        return window(loTicks, hiTicks)
                .append("\n| summarize Records = count() by Second = bin(IngestionTime, 1s)")
                .toString();
    }

    /**
     * Raw records with ingestion time in [lo, hi), oldest first, at most {@code take}. When {@code repairSeconds}
     * is not empty, records below {@code freshTicks} are limited to those ingestion seconds (given as the tick
     * of each second's start). Columns: {@link #FETCH_COLUMNS}.
     */
    public String fetch(long loTicks, long hiTicks, long freshTicks, long[] repairSeconds, int take) {
        if (take < 1) {
            throw new IllegalArgumentException("take must be positive");
        }
        StringBuilder b = window(loTicks, hiTicks);
        if (repairSeconds.length > 0 && loTicks < freshTicks) {
            b.append("\n| where IngestionTime >= ").append(datetime(freshTicks)).append(" or bin(IngestionTime, 1s) in (");
            for (int i = 0; i < repairSeconds.length; i++) {
                b.append(i == 0 ? "" : ", ").append(datetime(repairSeconds[i]));
            }
            b.append(')');
        }
        b.append("\n| project ").append(String.join(", ", FETCH_COLUMNS))
                .append("\n| top ").append(take).append(" by IngestionTime asc");
        return b.toString();
    }

    /** {@code datetime(2024-05-01T10:15:40.1234567Z)}: 100-nanosecond precision, like ingestion_time(). */
    static String datetime(long ticks) {
        long seconds = Math.floorDiv(ticks, Ticks.PER_SECOND);
        long rest = Math.floorMod(ticks, Ticks.PER_SECOND);
        return "datetime(" + DATETIME.format(Instant.ofEpochSecond(seconds, rest * 100)) + ")";
    }

    /** A KQL string literal: double quotes, backslash escapes; control characters are refused. */
    static String literal(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\'' -> b.append("\\'");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        throw new IllegalArgumentException("control character in a KQL string literal");
                    }
                    b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
