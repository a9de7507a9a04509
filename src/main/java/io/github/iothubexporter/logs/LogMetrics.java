package io.github.iothubexporter.logs;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.GaugeMetricFamily;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The Connections-record metrics of DESIGN §5, from every record source:
 * <ul>
 * <li>{@code iothub_connection_log_records_total{hub,operation,level}}: every record consumed;</li>
 * <li>{@code iothub_connection_errors_total{hub,code,name,operation,protocol,sdk,sdk_version,kind}}: records at
 *     level Error. {@code code} is a documented code ({@link ErrorCodes}) or {@code other}; {@code sdk} and
 *     {@code sdk_version} (major.minor) come from the record's own {@code sdkVersion}, else from the device's
 *     latest known SDK; {@code kind} is what disconnect classification says, {@code unknown} until it correlates;</li>
 * <li>{@code iothub_devices_by_sdk{hub,sdk,sdk_version,protocol}}: device identities by their latest SDK, kept
 *     in a compact per-device map ({@link DeviceSdkMap}).</li>
 * </ul>
 * Every label is bounded: hubs up to {@code maxHubs}, then {@code other}; operation, level, protocol, kind and
 * sdk_version values up to fixed caps, then {@code other}. Thread-safe (one lock; records are counted in batches).
 */
public final class LogMetrics implements ConnectionLogListener {
    private static final Logger LOG = LoggerFactory.getLogger(LogMetrics.class);
    public static final String KIND_UNKNOWN = "unknown";

    private final Counter records;
    private final Counter errors;
    private final DeviceSdkMap devices;
    private final LabelCap hubs;
    private final LabelCap operations = new LabelCap(16);
    private final LabelCap levels = new LabelCap(8);
    private final LabelCap protocols = new LabelCap(16);
    private final LabelCap kinds = new LabelCap(8);
    private final LabelCap sdkVersions = new LabelCap(200);
    private boolean dirty;
    private boolean warnedFull;
    private final Object saveLock = new Object();

    public LogMetrics(CollectorRegistry registry, int maxHubs, int maxDevices) {
        this.hubs = new LabelCap(maxHubs);
        this.devices = new DeviceSdkMap(maxDevices);
        records = Counter.build("iothub_connection_log_records_total",
                        "IoT Hub Connections resource-log records consumed, from every record source.")
                .labelNames("hub", "operation", "level").register(registry);
        errors = Counter.build("iothub_connection_errors_total",
                        "Connections records at level Error, by documented error code (ResultType), SDK, protocol and "
                                + "disconnect kind (unknown until classification correlates the record).")
                .labelNames("hub", "code", "name", "operation", "protocol", "sdk", "sdk_version", "kind").register(registry);
        new DevicesBySdk().register(registry);
    }

    /** Counts every record with {@code kind="unknown"}: the default listener until classification takes over. */
    @Override
    public void onRecords(List<ConnectionLogRecord> batch, String source) {
        synchronized (this) {
            for (ConnectionLogRecord r : batch) {
                count(r, KIND_UNKNOWN);
            }
        }
    }

    /** Counts one record; error records under {@code kind}. Also updates the device's latest SDK. */
    public synchronized void count(ConnectionLogRecord r, String kind) {
        String hub = hubs.admit(r.hub());
        SdkInfo sdk = SdkVersions.parse(r.sdkVersion());
        String protocol = r.protocol().isEmpty() ? "" : protocols.admit(r.protocol());
        long identity = DeviceSdkMap.identity(r.hub(), r.deviceId(), r.moduleId());
        DeviceSdkMap.Profile known = null;
        if (!r.sdkVersion().isEmpty()) {
            DeviceSdkMap.Profile p = new DeviceSdkMap.Profile(hub, sdk.family(), sdkVersions.admit(SdkVersions.majorMinor(sdk.version())),
                    protocol.isEmpty() ? LabelCap.UNKNOWN : protocol);
            dirty |= devices.update(identity, devices.profileId(p), r.timeMillis());
            known = p;
            if (devices.dropped() > 0 && !warnedFull) {
                warnedFull = true;
                LOG.warn("The per-device SDK map is full ({} identities, state.maxSdkDevices): further devices are not "
                        + "counted in iothub_devices_by_sdk", devices.size());
            }
        } else {
            int id = devices.get(identity);
            if (id != DeviceSdkMap.NONE) {
                known = devices.profile(id);
            }
        }
        String operation = operations.admit(r.operation());
        records.labels(hub, operation, levels.admit(levelLabel(r))).inc();
        if (r.error()) {
            String code = ErrorCodes.code(r.resultType());
            String sdkLabel = known != null ? known.sdk() : LabelCap.UNKNOWN;
            String versionLabel = known != null ? known.sdkVersion() : LabelCap.UNKNOWN;
            String protocolLabel = !protocol.isEmpty() ? protocol : known != null ? known.protocol() : LabelCap.UNKNOWN;
            errors.labels(hub, code, ErrorCodes.name(code), operation, protocolLabel, sdkLabel, versionLabel,
                    kinds.admit(kind)).inc();
        }
    }

    private static String levelLabel(ConnectionLogRecord r) {
        return r.error() ? "Error" : "Information";
    }

    /** The device's latest known SDK (version as major.minor), or {@link SdkInfo#UNKNOWN}. */
    public synchronized SdkInfo sdkOf(String hub, String deviceId, String moduleId) {
        int id = devices.get(DeviceSdkMap.identity(hub, deviceId, moduleId == null ? "" : moduleId));
        if (id == DeviceSdkMap.NONE) {
            return SdkInfo.UNKNOWN;
        }
        DeviceSdkMap.Profile p = devices.profile(id);
        return new SdkInfo(p.sdk(), p.sdkVersion().equals(LabelCap.UNKNOWN) || p.sdkVersion().equals(LabelCap.OTHER) ? "" : p.sdkVersion());
    }

    public synchronized int devicesTracked() {
        return devices.size();
    }

    /**
     * Writes the per-device SDK map to {@code file} (atomically: temporary file, fsync, rename) when it changed
     * since the last save. The file is small: about 16 bytes per device.
     */
    public void save(Path file) throws IOException {
        synchronized (saveLock) { // one writer of the file at a time (periodic save and the one at stop)
            saveNow(file);
        }
    }

    private void saveNow(Path file) throws IOException {
        byte[] bytes;
        synchronized (this) {
            if (!dirty) {
                return;
            }
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(Math.max(1024, devices.size() * 16 + 1024));
            try (DataOutputStream out = new DataOutputStream(buf)) {
                devices.write(out);
            }
            bytes = buf.toByteArray();
            dirty = false;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
            out.write(bytes);
            out.flush();
            ch.force(true);
        } catch (IOException e) {
            synchronized (this) {
                dirty = true;
            }
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Restores the map written by {@link #save}; a missing file is an empty map. */
    public synchronized void load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            devices.read(in, p -> new DeviceSdkMap.Profile(hubs.admit(p.hub()), p.sdk(), sdkVersions.admit(p.sdkVersion()),
                    p.protocol().equals(LabelCap.UNKNOWN) ? p.protocol() : protocols.admit(p.protocol())));
        } catch (NoSuchFileException e) {
            // first start
        }
    }

    /** {@code iothub_devices_by_sdk}: one sample per profile, read from the incremental counts. */
    private final class DevicesBySdk extends Collector {
        @Override
        public List<MetricFamilySamples> collect() {
            GaugeMetricFamily g = new GaugeMetricFamily("iothub_devices_by_sdk",
                    "Device identities by the SDK and protocol of their latest Connections record that named one.",
                    List.of("hub", "sdk", "sdk_version", "protocol"));
            synchronized (LogMetrics.this) {
                for (int i = 0; i < devices.profileCount(); i++) {
                    DeviceSdkMap.Profile p = devices.profile(i);
                    g.addMetric(List.of(p.hub(), p.sdk(), p.sdkVersion(), p.protocol()), devices.devices(i));
                }
            }
            List<MetricFamilySamples> out = new ArrayList<>(1);
            out.add(g);
            return out;
        }
    }
}
