package io.github.iothubexporter.logs;

import io.github.iothubexporter.classify.SdkFamily;
import io.github.iothubexporter.state.DeviceFact;
import io.github.iothubexporter.state.StateWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Connections records → classification evidence → metrics. Each batch becomes {@link DeviceFact}s applied (and
 * journaled) by the state writer, which answers with the {@code kind} of the disconnect each record belongs to;
 * only then are the records counted, so {@code iothub_connection_errors_total} carries that kind. Runs on the
 * record source's own thread (poller, Event Hubs callback, simulator), never on an event loop.
 */
public final class LogEvidencePipeline implements ConnectionLogListener {
    private static final Logger LOG = LoggerFactory.getLogger(LogEvidencePipeline.class);
    private final StateWriter writer;
    private final LogMetrics metrics;

    public LogEvidencePipeline(StateWriter writer, LogMetrics metrics) {
        this.writer = writer;
        this.metrics = metrics;
    }

    @Override
    public void onRecords(List<ConnectionLogRecord> records, String source) {
        if (records.isEmpty()) {
            return;
        }
        // in time order, so a 401003 is seen before the 404104 that follows it
        Integer[] order = new Integer[records.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> records.get(i).timeMillis()));
        List<DeviceFact> facts = new ArrayList<>(records.size());
        for (int i : order) {
            facts.add(toFact(records.get(i)));
        }
        List<String> kinds = applyWithRetry(facts);
        String[] byRecord = new String[records.size()];
        for (int k = 0; k < order.length; k++) {
            byRecord[order[k]] = kinds == null ? LogMetrics.KIND_UNKNOWN : kinds.get(k);
        }
        synchronized (metrics) {
            for (int i = 0; i < records.size(); i++) {
                metrics.count(records.get(i), byRecord[i]);
            }
        }
    }

    private List<String> applyWithRetry(List<DeviceFact> facts) {
        for (int attempt = 0; ; attempt++) {
            try {
                return writer.submitFacts(facts, null).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof StateWriter.OverloadedException) || attempt > 600) {
                    LOG.error("Connections records could not reach the state; counted with kind=unknown", e.getCause());
                    return null;
                }
                sleep();
            } catch (TimeoutException e) {
                LOG.error("The state writer did not take Connections records within 60 s; counted with kind=unknown");
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static DeviceFact toFact(ConnectionLogRecord r) {
        int operation = ConnectionLogRecord.DEVICE_CONNECT.equals(r.operation()) ? DeviceFact.CONNECT
                : ConnectionLogRecord.DEVICE_DISCONNECT.equals(r.operation()) ? DeviceFact.DISCONNECT : DeviceFact.OTHER;
        int family = 0;
        String version = "";
        if (!r.sdkVersion().isEmpty()) {
            SdkInfo sdk = SdkVersions.parse(r.sdkVersion());
            family = SdkFamily.ofLabel(sdk.family()).ordinal();
            version = SdkVersions.majorMinor(sdk.version());
        }
        return new DeviceFact(r.hub(), r.deviceId(), r.moduleId(), r.timeMillis(), operation, r.error(), code(r.resultType()),
                family, version);
    }

    private static int code(String resultType) {
        if (resultType.isEmpty() || resultType.length() > 9) {
            return 0;
        }
        for (int i = 0; i < resultType.length(); i++) {
            if (resultType.charAt(i) < '0' || resultType.charAt(i) > '9') {
                return 0;
            }
        }
        return Integer.parseInt(resultType);
    }
}
