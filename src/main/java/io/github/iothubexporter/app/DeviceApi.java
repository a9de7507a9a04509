package io.github.iothubexporter.app;

import io.github.iothubexporter.classify.DisconnectKind;
import io.github.iothubexporter.classify.SdkFamily;
import io.github.iothubexporter.classify.SdkVersionTable;
import io.github.iothubexporter.grafana.DisconnectLog;
import io.github.iothubexporter.logs.ErrorCodes;
import io.github.iothubexporter.model.EventTimes;
import io.github.iothubexporter.state.DeviceFields;
import io.github.iothubexporter.state.StateStore;
import io.github.iothubexporter.state.StateWriter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * {@code GET /api/devices/{hub}/{device}[?moduleId=]}: one identity's state, SDK, last error and recent classified
 * disconnects (DESIGN §6). The identity's fields are copied on the writer thread; the history comes from the
 * bounded {@link DisconnectLog} on a worker thread.
 */
final class DeviceApi {
    static final int HISTORY = 20;

    /** One identity's fields, copied on the writer thread. */
    private record View(StateStore.DeviceSnapshot state, boolean critical, boolean offline, long connectedSince,
                        long pendingSince, SdkFamily sdk, String sdkVersion, long lastErrorTime, int lastErrorCode,
                        long lastDecisionTime, int lastDecisionKind) {
    }

    private final Vertx vertx;
    private final StateWriter writer;
    private final SdkVersionTable versions;
    private final DisconnectLog log;

    DeviceApi(Vertx vertx, StateWriter writer, SdkVersionTable versions, DisconnectLog log) {
        this.vertx = vertx;
        this.writer = writer;
        this.versions = versions;
        this.log = log;
    }

    void handle(RoutingContext ctx) {
        String hub = ctx.pathParam("hub");
        String device = ctx.pathParam("device");
        String module = ctx.request().getParam("moduleId", "");
        int slash = device.indexOf('/');
        if (slash > 0 && module.isEmpty()) { // "deviceId/moduleId", the critical metrics' device label (IDs have no '/')
            module = device.substring(slash + 1);
            device = device.substring(0, slash);
        }
        String deviceId = device;
        String moduleId = module;
        writer.read(store -> view(store, hub, deviceId, moduleId)).whenComplete((view, err) -> vertx.runOnContext(v -> {
            var response = ctx.response().putHeader("Content-Type", "application/json");
            if (err != null) {
                response.setStatusCode(503).end(new JsonObject().put("error", "state is not available yet").encode());
            } else if (view == null) {
                response.setStatusCode(404).end(new JsonObject().put("error", "no state for device '" + deviceId + "'"
                        + (moduleId.isEmpty() ? "" : " module '" + moduleId + "'") + " on hub '" + hub + "'").encode());
            } else {
                vertx.executeBlocking(() -> toJson(view).encode(), false)
                        .onSuccess(response::end)
                        .onFailure(e -> response.setStatusCode(500).end(new JsonObject().put("error", e.toString()).encode()));
            }
        }));
    }

    private View view(StateStore store, String hub, String device, String module) {
        StateStore.DeviceSnapshot snap = store.lookup(hub, device, module);
        if (snap == null) {
            return null;
        }
        DeviceFields f = store.fields();
        int addr = f.find(snap.hub(), snap.deviceId(), snap.moduleId());
        return new View(snap, f.critical(addr), f.genuine(addr), f.connectedSince(addr), f.pendingSince(addr),
                SdkFamily.ofOrdinal(f.sdkFamily(addr)), versions.name(f.sdkVersion(addr)), f.lastErrorTime(addr),
                f.lastErrorCode(addr), f.lastDecisionTime(addr), f.lastDecisionKind(addr));
    }

    private JsonObject toJson(View v) {
        StateStore.DeviceSnapshot s = v.state();
        JsonObject json = new JsonObject()
                .put("hub", s.hub())
                .put("deviceId", s.deviceId())
                .put("moduleId", s.moduleId().isEmpty() ? null : s.moduleId())
                .put("connected", s.connected())
                .put("state", s.connected() ? "connected" : v.offline() ? "offline" : "disconnected")
                .put("sequenceNumber", s.sequenceNumber().toHex())
                .put("eventTime", EventTimes.format(s.eventTimeMillis()))
                .put("critical", v.critical())
                .put("sdk", new JsonObject().put("family", v.sdk().label()).put("version", v.sdkVersion()));
        if (s.connected() && v.connectedSince() > 0) {
            json.put("connectedSince", EventTimes.format(v.connectedSince()));
        } else if (!s.connected()) {
            json.put("disconnectedSince", EventTimes.format(v.pendingSince() > 0 ? v.pendingSince() : s.eventTimeMillis()));
        }
        JsonArray errors = new JsonArray();
        if (v.lastErrorTime() > 0) {
            errors.add(new JsonObject().put("time", EventTimes.format(v.lastErrorTime())).put("code", v.lastErrorCode())
                    .put("name", ErrorCodes.name(Integer.toString(v.lastErrorCode()))));
        }
        json.put("lastErrors", errors);
        JsonArray history = new JsonArray();
        for (DisconnectLog.Disconnect d : log.recent(List.of(DisconnectKind.values()), 0, Long.MAX_VALUE, h -> h.equals(s.hub()),
                d -> d.deviceId().equals(s.deviceId()) && d.moduleId().equals(s.moduleId()), HISTORY)) {
            JsonObject entry = new JsonObject().put("disconnected", EventTimes.format(d.disconnectMillis()))
                    .put("kind", d.kind().label());
            if (!d.ongoing()) {
                entry.put("reconnected", EventTimes.format(d.reconnectMillis()));
            }
            history.add(entry);
        }
        if (history.isEmpty() && v.lastDecisionKind() > 0) {
            history.add(new JsonObject().put("disconnected", EventTimes.format(v.lastDecisionTime()))
                    .put("kind", DisconnectKind.values()[v.lastDecisionKind() - 1].label()));
        }
        json.put("history", history);
        return json;
    }
}
