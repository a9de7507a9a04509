package io.github.iothubexporter.logs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Connections rows as Log Analytics holds them, with the lateness of real resource logs
 * (shared/reference/iothub-facts.md §4.3): ingestion 3-10 minutes after TimeGenerated for most, up to 40 minutes
 * for some, seconds for a few; records ingested in batches that share one ingestion time (one batch larger than a
 * page); and a tenth becoming visible to queries 20 s to 4 min after their ingestion time. Every row has a distinct
 * (deviceId, TimeGenerated) so that deliveries can be checked one by one. Deterministic for a seed.
 */
public final class LateArrivalDataset {
    public static final String[] SDKS = {
            ".NET/1.42.3 (.NET 8.0.4; Linux 5.15.0-1057-azure #65-Ubuntu SMP; X64)",
            "com.microsoft.azure.sdk.iot.iot-device-client/2.5.0 (17.0.9; Linux; amd64)",
            "azure-iot-device/1.18.3 (node v18.19.0; Ubuntu 22.04; x64)",
            "azure-iot-device-iothub-py/2.13.0(3.10.12;Linux #1 SMP PREEMPT_DYNAMIC Thu (Ubuntu);x86_64)",
            "iothubclient/1.13.0 (native; Linux; armv7l)",
            "azsdk-c/1.5.0"};
    private static final String[][] ERRORS = {{"401003", "IoTHubUnauthorized"}, {"404104", "DeviceConnectionClosedRemotely"},
            {"400027", "ConnectionForcefullyClosedOnNewConnection"}, {"500001", "ServerError"}};

    private LateArrivalDataset() {
    }

    public static String resourceId(String hub) {
        return "/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/"
                + hub.toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * @param start first TimeGenerated
     * @param span  TimeGenerated spread
     * @param bigBatch size of one batch sharing a single ingestion tick (0 for none)
     */
    public static List<FakeLogAnalytics.Row> generate(long seed, Instant start, Duration span, int count, String[] hubs,
                                                      int bigBatch) {
        Random rnd = new Random(seed);
        List<FakeLogAnalytics.Row> out = new ArrayList<>(count);
        long startTicks = start.toEpochMilli() * Ticks.PER_MILLI;
        long spacing = span.toMillis() * Ticks.PER_MILLI / count;
        long batchTick = 0;
        int batchLeft = 0;
        int bigAt = bigBatch > 0 ? count / 3 : -1;
        for (int i = 0; i < count; i++) {
            long generated = startTicks + i * spacing + rnd.nextInt((int) Math.max(1, Math.min(spacing / 2, Integer.MAX_VALUE)));
            double u = rnd.nextDouble();
            long lagMillis = u < 0.1 ? 5_000 + rnd.nextInt(55_000)
                    : u < 0.8 ? 180_000 + rnd.nextInt(420_000)
                    : 600_000 + rnd.nextInt(1_800_000);
            long ingest;
            if (i == bigAt) {
                batchTick = generated + 240_000 * Ticks.PER_MILLI + 1234567;
                batchLeft = bigBatch;
            }
            if (batchLeft > 0) {
                ingest = batchTick;
                batchLeft--;
            } else if (rnd.nextInt(4) == 0 && batchTick > generated) {
                ingest = batchTick; // joins the previous small batch
            } else {
                ingest = generated + lagMillis * Ticks.PER_MILLI + rnd.nextInt(10_000);
                batchTick = ingest;
            }
            long visibleAt = Ticks.toMillis(ingest) + (rnd.nextInt(10) == 0 ? 20_000 + rnd.nextInt(220_000) : rnd.nextInt(5_000));
            String hub = hubs[rnd.nextInt(hubs.length)];
            String device = "dev-" + (i % 250);
            boolean connect = rnd.nextBoolean();
            boolean error = !connect && rnd.nextInt(3) > 0;
            String[] err = ERRORS[rnd.nextInt(ERRORS.length)];
            String sdk = connect ? SDKS[(i % 250) % SDKS.length] : null;
            String protocol = rnd.nextInt(5) == 0 ? "Amqp" : "Mqtt";
            String properties = "{\"deviceId\":\"" + device + "\"" + (sdk == null ? "" : ",\"sdkVersion\":\"" + sdk + "\"")
                    + ",\"protocol\":\"" + protocol + "\",\"authType\":" + (connect
                    ? "\"{\\\"scope\\\":\\\"device\\\",\\\"type\\\":\\\"sas\\\",\\\"issuer\\\":\\\"iothub\\\",\\\"acceptingIpFilterRule\\\":null}\""
                    : "null") + ",\"maskedIpAddress\":\"10.1." + rnd.nextInt(256) + ".XXX\",\"statusCode\":"
                    + (error ? "\"" + err[0].substring(0, 3) + "\"" : "null") + "}";
            out.add(new FakeLogAnalytics.Row(ingest, visibleAt, FakeLogAnalytics.format(generated), resourceId(hub),
                    connect ? "deviceConnect" : "deviceDisconnect", error ? "Error" : "Information",
                    error ? err[0] : "", error ? err[1] : "", properties));
        }
        return out;
    }

    /** One explicit row: an Information connect when {@code code} is null, else an Error disconnect with that code. */
    public static FakeLogAnalytics.Row row(String hub, String device, Instant generated, Instant ingested, Instant visibleAt,
                                           String code, String sdkVersion) {
        String properties = "{\"deviceId\":\"" + device + "\"" + (sdkVersion == null ? "" : ",\"sdkVersion\":\"" + sdkVersion + "\"")
                + ",\"protocol\":\"Mqtt\",\"authType\":null,\"maskedIpAddress\":\"10.0.0.XXX\",\"statusCode\":null}";
        long g = generated.getEpochSecond() * Ticks.PER_SECOND + generated.getNano() / 100;
        long i = ingested.getEpochSecond() * Ticks.PER_SECOND + ingested.getNano() / 100;
        String name = code == null ? "" : ErrorCodes.name(ErrorCodes.code(code));
        return new FakeLogAnalytics.Row(i, visibleAt.toEpochMilli(), FakeLogAnalytics.format(g), resourceId(hub),
                code == null ? "deviceConnect" : "deviceDisconnect", code == null ? "Information" : "Error",
                code == null ? "" : code, name, properties);
    }

    /** The identity a delivered record is checked by: device and TimeGenerated (milliseconds). */
    public static String key(ConnectionLogRecord r) {
        return r.hub() + "/" + r.deviceId() + "@" + r.timeMillis();
    }

    public static String key(FakeLogAnalytics.Row row) {
        return ConnectionLogParser.hubFromResourceId(row.resourceId()).toLowerCase(java.util.Locale.ROOT) + "/"
                + row.properties().replaceAll(".*\"deviceId\":\"([^\"]+)\".*", "$1") + "@" + Ticks.toMillis(row.timeGeneratedTicks());
    }
}
