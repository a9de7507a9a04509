package io.github.iothubexporter.grafana;

import io.github.iothubexporter.classify.DisconnectKind;
import io.github.iothubexporter.classify.RecentDevices;
import io.github.iothubexporter.classify.SdkFamily;
import io.github.iothubexporter.model.SequenceNumber;
import io.github.iothubexporter.state.DeviceFields;
import io.github.iothubexporter.state.StateStats;
import io.github.iothubexporter.state.StateStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The "metrics" (targets) this data source serves: per-device views of the exporter's state that Prometheus cannot
 * give (docs/grafana.md describes each). Every target answers from thread-safe sources: the {@link DisconnectLog}
 * and the classifier's bounded lists (concurrent collections of immutable entries), the published per-hub aggregates,
 * or a one-identity read run on the state writer's thread. List work runs on a worker thread, never an event loop.
 */
final class Targets {

    /** One query target of a {@code /query} request, with the request's range, filters and clock. */
    record Query(String refId, String target, Payload payload, long fromMillis, long toMillis, AdHocFilters filters,
                 long nowMillis) {
    }

    /** A target: its name and label in the query editor, its payload fields, and how it answers. */
    record Target(String name, String label, JsonArray payloads, Function<Query, CompletableFuture<List<JsonObject>>> run) {
    }

    private final GrafanaSources sources;
    private final Executor worker;
    private final Map<String, Target> all = new LinkedHashMap<>();

    Targets(GrafanaSources sources, Executor worker) {
        this.sources = sources;
        this.worker = worker;
        add("offline_devices", "Offline devices (genuine outages now, oldest first)", payloads(hubs(), limit()),
                async(this::offlineDevices));
        add("flapping_devices", "Flapping devices (5+ transient disconnects within an hour)", payloads(hubs(), limit()),
                async(q -> recentDevices(q, sources.classifier().flapping(), "transient_disconnects")));
        add("duplicate_identity_suspects", "Duplicate-identity suspects (400027 within an hour)", payloads(hubs(), limit()),
                async(q -> recentDevices(q, sources.classifier().duplicateIdentities(), "takeovers")));
        add("device_state", "One device's state", payloads(hub(), device(), module()), this::deviceState);
        add("recent_disconnects", "Recent classified disconnects", payloads(hubs(), device(), module(), kinds(), critical(), limit()),
                async(this::recentDisconnects));
        add("outages", "Outages as annotations (genuine by default)", payloads(hubs(), device(), module(), kinds(), critical(), limit()),
                async(this::outages));
        add("connected_devices", "Connected devices per hub (current value)", payloads(hubs()),
                async(q -> perHub(q, (stats, h) -> stats.connected(h))));
        add("tracked_devices", "Tracked device identities per hub (current value)", payloads(hubs()),
                async(q -> perHub(q, (stats, h) -> stats.tracked(h))));
        add("offline_devices_count", "Offline devices per hub (current value)", payloads(hubs()),
                async(q -> perHub(q, (stats, h) -> sources.classifier().stats().offline(h))));
    }

    private void add(String name, String label, JsonArray payloads, Function<Query, CompletableFuture<List<JsonObject>>> run) {
        all.put(name, new Target(name, label, payloads, run));
    }

    Map<String, Target> all() {
        return all;
    }

    Target get(String name) {
        return all.get(name);
    }

    private Function<Query, CompletableFuture<List<JsonObject>>> async(Function<Query, List<JsonObject>> fn) {
        return q -> CompletableFuture.supplyAsync(() -> fn.apply(q), worker);
    }

    // ---- payload fields shown in the query editor --------------------------------------------------------------------

    private static JsonArray payloads(JsonObject... fields) {
        JsonArray a = new JsonArray();
        for (JsonObject f : fields) {
            a.add(f);
        }
        return a;
    }

    private static JsonObject hubs() {
        return new JsonObject().put("name", "hub").put("label", "Hub").put("type", "multi-select")
                .put("placeholder", "all hubs");
    }

    private static JsonObject hub() {
        return new JsonObject().put("name", "hub").put("label", "Hub").put("type", "select").put("placeholder", "hub");
    }

    private static JsonObject device() {
        return new JsonObject().put("name", "device").put("label", "Device ID").put("type", "input")
                .put("placeholder", "device ID");
    }

    private static JsonObject module() {
        return new JsonObject().put("name", "module").put("label", "Module ID").put("type", "input")
                .put("placeholder", "module ID (optional)");
    }

    private static JsonObject limit() {
        return new JsonObject().put("name", "limit").put("label", "Rows").put("type", "input")
                .put("placeholder", Payload.DEFAULT_LIMIT + " (at most " + Payload.MAX_LIMIT + ")").put("width", 10);
    }

    private static JsonObject kinds() {
        JsonArray options = new JsonArray();
        for (DisconnectKind k : DisconnectKind.values()) {
            options.add(new JsonObject().put("label", k.label()).put("value", k.label()));
        }
        return new JsonObject().put("name", "kind").put("label", "Kind").put("type", "multi-select").put("options", options);
    }

    private static JsonObject critical() {
        return new JsonObject().put("name", "critical").put("label", "Devices").put("type", "select")
                .put("options", new JsonArray()
                        .add(new JsonObject().put("label", "all devices").put("value", "false"))
                        .add(new JsonObject().put("label", "critical devices only").put("value", "true")));
    }

    // ---- offline_devices -------------------------------------------------------------------------------------------

    private List<JsonObject> offlineDevices(Query q) {
        int limit = q.payload().limit();
        Predicate<String> hubs = hubFilter(q);
        Predicate<DisconnectLog.Disconnect> filter = disconnectFilter(q, false);
        DisconnectLog.OfflinePage page = q.filters().accepts("kind", DisconnectKind.GENUINE.label())
                ? sources.log().offline(hubs, filter, limit)
                : new DisconnectLog.OfflinePage(List.of(), 0);
        Frames.Table t = new Frames.Table(q.refId()).time("since").string("hub").string("device").string("module")
                .number("offline_seconds").string("sdk").string("sdk_version");
        for (DisconnectLog.Disconnect d : page.devices()) {
            t.row(d.disconnectMillis(), d.hub(), d.deviceId(), d.moduleId(), seconds(q.nowMillis() - d.disconnectMillis()),
                    d.sdk().label(), d.sdkVersion());
        }
        return List.of(limited(t, page.total(), "the " + t.rowCount() + " longest of " + page.total() + " offline devices"));
    }

    // ---- flapping_devices, duplicate_identity_suspects --------------------------------------------------------------

    private List<JsonObject> recentDevices(Query q, RecentDevices devices, String countColumn) {
        int limit = q.payload().limit();
        Predicate<String> hubs = hubFilter(q);
        List<RecentDevices.Entry> matched = new ArrayList<>();
        for (RecentDevices.Entry e : devices.active()) {
            if (hubs.test(e.hub())) {
                matched.add(e);
            }
        }
        matched.sort(Comparator.comparingInt(RecentDevices.Entry::count).reversed()
                .thenComparing(Comparator.comparingLong(RecentDevices.Entry::lastMillis).reversed())
                .thenComparing(RecentDevices.Entry::hub).thenComparing(RecentDevices.Entry::device));
        Frames.Table t = new Frames.Table(q.refId()).string("hub").string("device").string("module").number(countColumn)
                .time("window_start").time("last");
        for (RecentDevices.Entry e : matched.subList(0, Math.min(limit, matched.size()))) {
            int slash = e.device().indexOf('/');
            t.row(e.hub(), slash < 0 ? e.device() : e.device().substring(0, slash), slash < 0 ? "" : e.device().substring(slash + 1),
                    e.count(), e.windowStartMillis(), e.lastMillis());
        }
        return List.of(limited(t, matched.size(), "the first " + t.rowCount() + " of " + matched.size() + " devices"));
    }

    // ---- device_state ------------------------------------------------------------------------------------------------

    /** One identity's state, copied on the writer thread. */
    private record DeviceState(String hub, String deviceId, String moduleId, boolean connected, boolean offline, boolean critical,
                               SequenceNumber sequenceNumber, long eventTime, long connectedSince, long pendingSince,
                               long lastDecisionTime, int lastDecisionKind, SdkFamily sdk, String sdkVersion) {
    }

    private CompletableFuture<List<JsonObject>> deviceState(Query q) {
        String hub = q.payload().hub();
        String given = q.payload().string("device");
        String module = q.payload().string("module");
        if (hub == null || given == null) {
            throw new BadRequest("device_state needs payload.hub and payload.device (and payload.module for a module identity)");
        }
        // "deviceId/moduleId" is the critical metrics' device label (device IDs have no '/')
        int slash = given.indexOf('/');
        boolean label = slash > 0 && (module == null || module.isEmpty());
        String device = label ? given.substring(0, slash) : given;
        String mod = label ? given.substring(slash + 1) : module == null ? "" : module;
        var versions = sources.classifier().versions();
        // the writer thread only copies the identity's fields; the frame is built on a worker
        return sources.writer().read(store -> readDevice(store, hub, device, mod, versions))
                .thenApplyAsync(s -> List.of(deviceStateFrame(q, hub, device, mod, s)), worker);
    }

    private static DeviceState readDevice(StateStore store, String hub, String device, String module,
                                          io.github.iothubexporter.classify.SdkVersionTable versions) {
        StateStore.DeviceSnapshot snap = store.lookup(hub, device, module);
        if (snap == null) {
            return null;
        }
        DeviceFields f = store.fields();
        int addr = f.find(snap.hub(), device, module);
        return new DeviceState(snap.hub(), snap.deviceId(), snap.moduleId(), snap.connected(), f.genuine(addr), f.critical(addr),
                snap.sequenceNumber(), snap.eventTimeMillis(), f.connectedSince(addr), f.pendingSince(addr),
                f.lastDecisionTime(addr), f.lastDecisionKind(addr), SdkFamily.ofOrdinal(f.sdkFamily(addr)),
                versions.name(f.sdkVersion(addr)));
    }

    private static JsonObject deviceStateFrame(Query q, String hub, String device, String module, DeviceState s) {
        Frames.Table t = new Frames.Table(q.refId()).string("hub").string("device").string("module").string("state")
                .time("last_change").string("sequence_number").string("sdk").string("sdk_version").string("critical");
        if (s == null) {
            return t.meta(null, "no state for device '" + device + "'" + (module.isEmpty() ? "" : " module '" + module + "'")
                    + " on hub '" + hub + "'").frame();
        }
        String state = s.connected() ? "connected" : s.offline() ? "offline" : "disconnected";
        List<Object> row = new ArrayList<>(List.of(s.hub(), s.deviceId(), s.moduleId(), state, s.eventTime(),
                s.sequenceNumber().toHex(), s.sdk().label(), s.sdkVersion(), s.critical() ? "yes" : "no"));
        if (s.connected() && s.connectedSince() > 0) {
            t.time("connected_since");
            row.add(s.connectedSince());
        }
        if (!s.connected()) {
            long since = s.pendingSince() > 0 ? s.pendingSince() : s.eventTime();
            t.time("disconnected_since").number("disconnected_seconds");
            row.add(since);
            row.add(seconds(q.nowMillis() - since));
        }
        if (s.lastDecisionKind() > 0) {
            t.time("last_classified_disconnect").string("last_classified_kind");
            row.add(s.lastDecisionTime());
            row.add(DisconnectKind.values()[s.lastDecisionKind() - 1].label());
        }
        t.row(row.toArray());
        return t.frame();
    }

    // ---- recent_disconnects, outages ---------------------------------------------------------------------------------

    private List<DisconnectLog.Disconnect> disconnects(Query q, List<DisconnectKind> defaultKinds) {
        List<DisconnectKind> kinds = kinds(q.payload(), defaultKinds);
        List<DisconnectLog.Disconnect> newestFirst = sources.log().recent(kinds, q.fromMillis(), q.toMillis(), hubFilter(q),
                disconnectFilter(q, true), q.payload().limit());
        List<DisconnectLog.Disconnect> out = new ArrayList<>(newestFirst);
        out.sort(Comparator.comparingLong(DisconnectLog.Disconnect::disconnectMillis)); // ascending time, as Grafana expects
        return out;
    }

    private static List<DisconnectKind> kinds(Payload p, List<DisconnectKind> defaults) {
        Set<String> names = p.strings("kind");
        if (names.isEmpty() || names.stream().anyMatch(n -> Set.of("*", "all", "$__all").contains(n.toLowerCase(Locale.ROOT)))) {
            return defaults;
        }
        List<DisconnectKind> out = new ArrayList<>();
        for (String n : names) {
            DisconnectKind k = kindOf(n);
            if (k == null) {
                throw new BadRequest("payload.kind: '" + n + "' is not one of token_renewal, transient, genuine");
            }
            out.add(k);
        }
        return out;
    }

    static DisconnectKind kindOf(String label) {
        for (DisconnectKind k : DisconnectKind.values()) {
            if (k.label().equalsIgnoreCase(label.trim())) {
                return k;
            }
        }
        return null;
    }

    private List<JsonObject> recentDisconnects(Query q) {
        List<DisconnectLog.Disconnect> list = disconnects(q, List.of(DisconnectKind.values()));
        Frames.Table t = new Frames.Table(q.refId()).time("time").string("hub").string("device").string("module").string("kind")
                .number("duration_seconds").string("state").string("sdk").string("sdk_version");
        for (DisconnectLog.Disconnect d : list) {
            long end = d.ongoing() ? q.nowMillis() : d.reconnectMillis();
            t.row(d.disconnectMillis(), d.hub(), d.deviceId(), d.moduleId(), d.kind().label(), seconds(end - d.disconnectMillis()),
                    d.ongoing() ? "offline" : "reconnected", d.sdk().label(), d.sdkVersion());
        }
        return List.of(t.frame());
    }

    private List<JsonObject> outages(Query q) {
        List<DisconnectLog.Disconnect> list = disconnects(q, List.of(DisconnectKind.GENUINE));
        Frames.Table t = new Frames.Table(q.refId()).time("time").time("timeEnd").string("title").string("text").string("tags");
        long viewEnd = Math.min(q.nowMillis(), q.toMillis());
        for (DisconnectLog.Disconnect d : list) {
            long end = d.ongoing() ? Math.max(d.disconnectMillis(), viewEnd) : d.reconnectMillis();
            String what = switch (d.kind()) {
                case GENUINE -> "offline";
                case TRANSIENT -> "transient disconnect";
                case TOKEN_RENEWAL -> "token renewal";
            };
            String text = d.label() + " on " + d.hub() + ": " + (d.ongoing()
                    ? "offline since " + Instant.ofEpochMilli(d.disconnectMillis()) + " (" + duration(q.nowMillis() - d.disconnectMillis())
                      + " so far)"
                    : "disconnected " + Instant.ofEpochMilli(d.disconnectMillis()) + ", back after "
                      + duration(d.reconnectMillis() - d.disconnectMillis()))
                    + "; SDK " + d.sdk().label() + (d.sdkVersion().isEmpty() ? "" : " " + d.sdkVersion());
            StringBuilder tags = new StringBuilder(d.hub()).append(',').append(d.kind().label()).append(',').append(d.sdk().label());
            if (d.ongoing()) {
                tags.append(",ongoing");
            }
            if (sources.critical().matches(d.hub(), d.label())) {
                tags.append(",critical");
            }
            t.row(d.disconnectMillis(), end, what + ": " + d.label(), text, tags.toString());
        }
        return List.of(t.frame());
    }

    // ---- per-hub current values --------------------------------------------------------------------------------------

    private interface HubValue {
        long of(StateStats stats, int hub);
    }

    private List<JsonObject> perHub(Query q, HubValue value) {
        StateStats stats = sources.writer().store().stats();
        String[] hubs = stats.hubs();
        Predicate<String> wanted = hubFilter(q);
        List<JsonObject> out = new ArrayList<>();
        for (int h = 0; h < hubs.length; h++) {
            if (wanted.test(hubs[h])) {
                out.add(Frames.series(q.refId(), hubs[h], List.<long[]>of(new long[]{value.of(stats, h), q.nowMillis()}),
                        new JsonObject().put("hub", hubs[h])));
            }
        }
        return out;
    }

    // ---- shared ------------------------------------------------------------------------------------------------------

    private static Predicate<String> hubFilter(Query q) {
        Predicate<String> payload = q.payload().hubs();
        AdHocFilters f = q.filters();
        return f.on("hub") ? h -> payload.test(h) && f.accepts("hub", h) : payload;
    }

    /** Payload device/module/critical and ad-hoc sdk/kind filters on one disconnect; null when none applies. */
    private Predicate<DisconnectLog.Disconnect> disconnectFilter(Query q, boolean withDevice) {
        List<Predicate<DisconnectLog.Disconnect>> all = new ArrayList<>();
        String device = withDevice ? q.payload().string("device") : null;
        if (device != null) {
            String module = q.payload().string("module");
            all.add(d -> d.deviceId().equals(device) && (module == null || d.moduleId().equals(module)));
        }
        if (q.payload().flag("critical", false)) {
            all.add(d -> sources.critical().matches(d.hub(), d.label()));
        }
        AdHocFilters f = q.filters();
        if (f.on("sdk")) {
            all.add(d -> f.accepts("sdk", d.sdk().label()));
        }
        if (f.on("kind")) {
            all.add(d -> f.accepts("kind", d.kind().label()));
        }
        return all.stream().reduce(Predicate::and).orElse(null);
    }

    /** Adds the total to the frame's metadata, and a notice when the rows do not show all of it. */
    private static JsonObject limited(Frames.Table t, long total, String notice) {
        return t.meta(new JsonObject().put("total", total).put("shown", t.rowCount()), total > t.rowCount() ? "showing " + notice : null)
                .frame();
    }

    static double seconds(long millis) {
        return Math.max(0, millis) / 1000.0;
    }

    static String duration(long millis) {
        long s = Math.max(0, millis) / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m " + s % 60 + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        return s / 86400 + "d " + s % 86400 / 3600 + "h";
    }
}
