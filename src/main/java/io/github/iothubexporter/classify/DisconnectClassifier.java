package io.github.iothubexporter.classify;

import io.github.iothubexporter.model.ConnectionEvent;
import io.github.iothubexporter.state.DeviceFact;
import io.github.iothubexporter.state.DeviceFields;
import io.github.iothubexporter.state.TransitionObserver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifies every disconnect by event time, deterministically: {@code token_renewal}, {@code transient} or
 * {@code genuine} (DESIGN §4). Runs inside the state writer on applied events only (sequence order per
 * device), keeps its per-device facts in the device record (so they are in snapshots), and decides genuine
 * outages when the event-time watermark passes disconnect + grace.
 *
 * <p>Connection-state events are 60-second snapshots, so a renewal reconnect that completes between two
 * snapshots is invisible, and the connection age seen at the next visible disconnect spans several renewal
 * periods: ages are matched against whole multiples of the period.
 */
public final class DisconnectClassifier implements TransitionObserver {
    /** A connection younger than this is never learned as a renewal period. */
    static final int MIN_LEARNED_SECONDS = 15 * 60;
    /** Each unseen renewal adds the reconnect time (SDKs reconnect within about a minute). */
    static final int SLACK_PER_CYCLE_SECONDS = 60;
    static final int MAX_CYCLES = 8;
    /** Dropping again this soon after a reconnect is not what a renewed token does. */
    static final long SOON_AFTER_MS = 5 * 60_000;

    private final ClassificationSettings settings;
    private final long graceMillis;
    private final long logWaitMillis;
    static final String META_VERSIONS = "classify/sdkVersions";
    static final String META_DEFERRED = "classify/deferred";
    static final String META_FLAPPING = "classify/flapping";
    static final String META_DUPLICATES = "classify/duplicates";
    static final int AUTH_EXPIRED = AwaitingLogs.AUTH_EXPIRED;
    /**
     * A reconnect observed within one snapshot of the grace window may hide an outage longer than it: only the
     * records can tell, so such a disconnect waits this many times {@code classification.logWait} for them.
     */
    static final int BOUNDARY_WAIT_FACTOR = 3;
    private final int toleranceSeconds;
    private final ClassificationStats stats;
    private final SdkVersionTable versions;
    private final PendingQueue pending = new PendingQueue();
    private final DeferredDecisions deferred = new DeferredDecisions();
    private final List<ClassificationListener> listeners = new ArrayList<>();
    /** Five or more transient disconnects within an hour: a flapping device. */
    private final RecentDevices flapping = new RecentDevices(3600_000, 5, 50_000);
    /** A 400027 (another connection took the identity) within an hour: two clients share one identity. */
    private final RecentDevices duplicates = new RecentDevices(3600_000, 1, 10_000);
    private long lastExpiry;
    static final int DUPLICATE_IDENTITY = 400027;

    public DisconnectClassifier(ClassificationSettings settings, int maxHubs, SdkVersionTable versions) {
        this.settings = settings;
        this.graceMillis = settings.grace().toMillis();
        this.logWaitMillis = settings.logWait().toMillis();
        this.toleranceSeconds = (int) settings.tolerance().toSeconds();
        this.stats = new ClassificationStats(maxHubs);
        this.versions = versions;
    }

    public ClassificationStats stats() {
        return stats;
    }

    public SdkVersionTable versions() {
        return versions;
    }

    public RecentDevices flapping() {
        return flapping;
    }

    public RecentDevices duplicateIdentities() {
        return duplicates;
    }

    public void addListener(ClassificationListener l) {
        listeners.add(l);
    }

    public long graceMillis() {
        return graceMillis;
    }

    @Override
    public void applied(DeviceFields f, int addr, int hub, ConnectionEvent e, boolean known, boolean wasConnected,
                        long previousTime, boolean live) {
        long t = e.eventTimeMillis();
        if (e.connected()) {
            if (known && !wasConnected) {
                resolve(f, addr, hub, t, live);
            } else if (known) {
                finishIfWaiting(f, addr, hub, t, live);
                // connected twice in a row: it dropped and came back inside one 60 s snapshot window
                int age = f.connectedSince(addr) > 0 ? ageSeconds(t - f.connectedSince(addr)) : -1;
                decide(f, addr, hub, kindOfQuickReconnect(f, addr, age), t, t, age, live);
                learn(f, addr, age);
            }
            f.connectedSince(addr, t);
        } else {
            if (known && !wasConnected) {
                // disconnected twice in a row: it came back and dropped again inside one snapshot window
                resolve(f, addr, hub, t, live);
                startPending(f, addr, t, 0);
            } else if (known) {
                finishIfWaiting(f, addr, hub, t, live);
                long since = f.connectedSince(addr);
                startPending(f, addr, t, since > 0 ? ageSeconds(t - since) : -1);
            } else {
                startPending(f, addr, t, -1);
            }
            f.connectedSince(addr, 0);
        }
    }

    private void startPending(DeviceFields f, int addr, long t, int age) {
        f.pendingSince(addr, t);
        f.pendingAge(addr, age);
        f.genuine(addr, false);
        pending.push(t + graceMillis, addr);
    }

    /** A reconnect at {@code t} ends the pending disconnect, if any. */
    private void resolve(DeviceFields f, int addr, int hub, long t, boolean live) {
        finishIfWaiting(f, addr, hub, t, live);
        long since = f.pendingSince(addr);
        if (since == 0) {
            return;
        }
        long gap = Math.max(0, t - since);
        if (f.genuine(addr)) {
            stats.offline.decrementAndGet(hub);
            f.genuine(addr, false);
            f.republishCritical(addr);
            if (live) {
                stats.observeReconnect(hub, DisconnectKind.GENUINE, gap);
            }
            if (!listeners.isEmpty()) {
                Decision ended = decision(f, addr, hub, DisconnectKind.GENUINE, since, t, f.pendingAge(addr), live);
                for (ClassificationListener l : listeners) {
                    l.outageEnded(ended);
                }
            }
            f.pendingSince(addr, 0);
        } else if (gap > graceMillis) {
            decide(f, addr, hub, DisconnectKind.GENUINE, since, t, f.pendingAge(addr), live);
            if (live) {
                stats.observeReconnect(hub, DisconnectKind.GENUINE, gap);
            }
            f.pendingSince(addr, 0);
        } else if (logWaitMillis > 0) {
            f.reconnectedAt(addr, t); // wait for the Connections log records of this disconnect
            pending.push(logDeadline(since, t), addr);
        } else {
            finishQuick(f, addr, hub, t, false, live);
        }
    }

    /**
     * A new event arrived while the previous disconnect still waited for its logs. The device record holds only
     * the newest disconnect, so the previous one moves to the deferred set and keeps waiting there: its records
     * still decide it (a renewal just before a regional drop, an outage on the edge of the grace window). Without
     * records, a device that dropped again soon after coming back was not renewing a token (a renewal buys a
     * whole token lifetime).
     */
    private void finishIfWaiting(DeviceFields f, int addr, int hub, long now, boolean live) {
        long reconnected = f.reconnectedAt(addr);
        if (reconnected == 0) {
            return;
        }
        AwaitingLogs a = AwaitingLogs.fromRecord(f, addr);
        a.droppedSoonAfter = now - reconnected < SOON_AFTER_MS;
        AwaitingLogs oldest = deferred.put(a, logDeadline(a.since, reconnected));
        if (oldest != null) {
            finishDeferred(f, hub, oldest, live); // too many waiting for one identity: the oldest decides on what it has
        }
        f.pendingSince(addr, 0);
        f.reconnectedAt(addr, 0);
    }

    /** Whether the observed gap is within one snapshot of the grace window (the true one may be over it). */
    private boolean onGraceEdge(long since, long reconnected) {
        return reconnected - since > graceMillis - AwaitingLogs.SNAPSHOT_MS;
    }

    /** How long a quick reconnect's disconnect waits for its Connections records. */
    private long logDeadline(long since, long reconnected) {
        return reconnected + (onGraceEdge(since, reconnected) ? BOUNDARY_WAIT_FACTOR * logWaitMillis : logWaitMillis);
    }

    /** Classifies a disconnect that was followed by a reconnect within the grace window. */
    private void finishQuick(DeviceFields f, int addr, int hub, long reconnectedAt, boolean droppedSoonAfter, boolean live) {
        AwaitingLogs evidence = AwaitingLogs.fromRecord(f, addr);
        long since = evidence.since;
        int age = evidence.age;
        DisconnectKind kind = evidence.outlasted(graceMillis) ? DisconnectKind.GENUINE
                : kindWithEvidence(f, addr, evidence, droppedSoonAfter);
        decide(f, addr, hub, kind, since, reconnectedAt, age, live);
        if (live) {
            stats.observeReconnect(hub, kind, Math.max(0, reconnectedAt - since));
        }
        if (kind != DisconnectKind.GENUINE && (!evidence.otherError() || evidence.auth())) {
            learn(f, addr, age); // a drop with an error record and no 401003 says nothing about renewal periods
        }
        f.pendingSince(addr, 0);
        f.reconnectedAt(addr, 0);
    }

    /** Classifies a deferred disconnect (its device dropped again since): no learning from it. */
    private void finishDeferred(DeviceFields f, int hub, AwaitingLogs a, boolean live) {
        DisconnectKind kind = a.outlasted(graceMillis) ? DisconnectKind.GENUINE
                : kindWithEvidence(f, a.addr, a, a.droppedSoonAfter);
        decide(f, a.addr, hub, kind, a.since, a.reconnectedAt, a.age, live);
        if (live) {
            stats.observeReconnect(hub, kind, Math.max(0, a.reconnectedAt - a.since));
        }
    }

    /**
     * Log evidence first: a 401003 is the SAS-renewal signature (.NET/Java: 401003 then 404104); another error
     * is a real drop; an informational close followed at once by a reconnect is how Node.js, Python and C renew.
     * Without evidence, the timing decides.
     */
    private DisconnectKind kindWithEvidence(DeviceFields f, int addr, AwaitingLogs evidence, boolean droppedSoonAfter) {
        if (evidence.auth()) {
            return DisconnectKind.TOKEN_RENEWAL;
        }
        if (evidence.otherError()) {
            return DisconnectKind.TRANSIENT;
        }
        if (evidence.clean() && !renewsWithAuthError(f, addr)) {
            return DisconnectKind.TOKEN_RENEWAL; // info-only close and straight back: how Node.js, Python and C renew
        }
        return droppedSoonAfter ? DisconnectKind.TRANSIENT : kindOfQuickReconnect(f, addr, evidence.age);
    }

    /** .NET and Java let the token expire: their renewal shows as 401003 then 404104 (or we cannot tell yet). */
    private static boolean renewsWithAuthError(DeviceFields f, int addr) {
        SdkFamily family = SdkFamily.ofOrdinal(f.sdkFamily(addr));
        return family == SdkFamily.DOTNET || family == SdkFamily.JAVA || family == SdkFamily.UNKNOWN;
    }

    static boolean inWindow(long recordMillis, long disconnectMillis) {
        return AwaitingLogs.inWindow(recordMillis, disconnectMillis);
    }

    @Override
    public void fact(DeviceFields f, int addr, int hub, DeviceFact fact, boolean live) {
        if (fact.operation() == DeviceFact.CONNECT && !fact.error()) {
            f.connectRecordTime(addr, AwaitingLogs.betterConnect(f.connectRecordTime(addr), fact.timeMillis(), f.reconnectedAt(addr)));
        }
        if (fact.sdkFamily() != 0 && fact.operation() == DeviceFact.CONNECT && !fact.error()) {
            int version = versions.intern(fact.sdkVersion());
            if (f.sdkFamily(addr) != fact.sdkFamily() || f.sdkVersion(addr) != version) {
                f.sdk(addr, fact.sdkFamily(), version);
                f.meta(META_VERSIONS, String.join("\n", versions.list()).getBytes(StandardCharsets.UTF_8));
            }
        }
        if (fact.error() && fact.timeMillis() >= f.lastErrorTime(addr)) {
            f.lastError(addr, fact.timeMillis(), fact.code()); // for /api/devices
        }
        if (fact.error() && fact.code() == DUPLICATE_IDENTITY) {
            duplicates.record(f.hubName(hub), label(f, addr), fact.timeMillis());
        }
        if (fact.operation() == DeviceFact.DISCONNECT) {
            long t = fact.timeMillis();
            noteDrop(f, addr, t);
            if (fact.error() && fact.code() == AUTH_EXPIRED) {
                f.authErrorTime(addr, Math.max(t, f.authErrorTime(addr)));
            } else if (fact.error()) {
                f.otherErrorTime(addr, Math.max(t, f.otherErrorTime(addr)));
            } else {
                f.cleanDisconnectTime(addr, Math.max(t, f.cleanDisconnectTime(addr)));
            }
        }
        if (f.reconnectedAt(addr) != 0
                && AwaitingLogs.fromRecord(f, addr).complete(onGraceEdge(f.pendingSince(addr), f.reconnectedAt(addr)))) {
            finishQuick(f, addr, hub, f.reconnectedAt(addr), false, live); // the evidence is here: no need to wait
        }
        for (AwaitingLogs waiting : List.copyOf(deferred.get(addr))) {
            waiting.add(fact);
            if (waiting.complete(onGraceEdge(waiting.since, waiting.reconnectedAt))) {
                deferred.remove(waiting);
                finishDeferred(f, hub, waiting, live);
            }
        }
    }

    /**
     * Keeps the drop record that began the outage now pending ({@link AwaitingLogs#beganOutage}). The record of a second
     * drop that the snapshots merged into it comes later and must not replace it. With nothing pending (a
     * record ahead of its event), the latest record is the candidate.
     */
    private static void noteDrop(DeviceFields f, int addr, long t) {
        long since = f.pendingSince(addr);
        long current = f.outageDropTime(addr);
        if (since == 0) {
            f.outageDropTime(addr, Math.max(current, t));
        } else if (inWindow(t, since) && (!inWindow(current, since) || AwaitingLogs.beganOutage(t, current, since))) {
            f.outageDropTime(addr, t);
        }
    }

    @Override
    public String kindOf(DeviceFields f, int addr, DeviceFact fact) {
        int kind = f.lastDecisionKind(addr);
        if (kind > 0 && inWindow(fact.timeMillis(), f.lastDecisionTime(addr))) {
            return DisconnectKind.values()[kind - 1].label();
        }
        return "unknown";
    }

    @Override
    public int watermark(DeviceFields f, long watermarkMillis, boolean live) {
        if (watermarkMillis - lastExpiry > 60_000) {
            flapping.expire(watermarkMillis);
            duplicates.expire(watermarkMillis);
            lastExpiry = watermarkMillis;
        }
        int decisions = 0;
        while (pending.dueBy(watermarkMillis)) {
            long deadline = pending.peekDeadline();
            int addr = pending.pop();
            long since = f.pendingSince(addr);
            long reconnected = f.reconnectedAt(addr);
            if (since != 0 && reconnected != 0 && logDeadline(since, reconnected) == deadline) {
                finishQuick(f, addr, f.hub(addr), reconnected, false, live); // no log evidence came in time
                decisions++;
                continue;
            }
            if (since == 0 || since + graceMillis != deadline || f.genuine(addr) || f.connected(addr)) {
                continue; // resolved or superseded since it was queued
            }
            int hub = f.hub(addr);
            f.genuine(addr, true);
            stats.offline.incrementAndGet(hub);
            f.republishCritical(addr);
            decide(f, addr, hub, DisconnectKind.GENUINE, since, -1, f.pendingAge(addr), live);
            decisions++;
        }
        for (AwaitingLogs a; (a = deferred.pollDue(watermarkMillis)) != null; ) {
            finishDeferred(f, f.hub(a.addr), a, live); // no record settled it in time
            decisions++;
        }
        return decisions;
    }

    @Override
    public void beforeSnapshot(DeviceFields f) {
        f.meta(META_DEFERRED, deferred.encode(f));
        f.meta(META_FLAPPING, flapping.encode());
        f.meta(META_DUPLICATES, duplicates.encode());
    }

    @Override
    public void restored(DeviceFields f) {
        pending.clear();
        deferred.clear();
        byte[] d = f.meta(META_DEFERRED);
        if (d != null) {
            deferred.decode(d, f);
        }
        byte[] fl = f.meta(META_FLAPPING);
        if (fl != null) {
            flapping.decode(fl);
        }
        byte[] du = f.meta(META_DUPLICATES);
        if (du != null) {
            duplicates.decode(du);
        }
        byte[] v = f.meta(META_VERSIONS);
        if (v != null) {
            versions.replaceAll(List.of(new String(v, StandardCharsets.UTF_8).split("\n", -1)));
        }
        for (int h = 0; h < stats.maxHubs(); h++) {
            stats.offline.set(h, 0);
        }
        for (ClassificationListener l : listeners) {
            l.restoring();
        }
        f.forEach(addr -> {
            if (f.pendingSince(addr) != 0) {
                if (f.genuine(addr)) {
                    stats.offline.incrementAndGet(f.hub(addr));
                    if (!listeners.isEmpty()) {
                        Decision offline = decision(f, addr, f.hub(addr), DisconnectKind.GENUINE, f.pendingSince(addr), -1,
                                f.pendingAge(addr), false);
                        for (ClassificationListener l : listeners) {
                            l.offlineRestored(offline);
                        }
                    }
                } else if (f.reconnectedAt(addr) != 0) {
                    pending.push(logDeadline(f.pendingSince(addr), f.reconnectedAt(addr)), addr);
                } else {
                    pending.push(f.pendingSince(addr) + graceMillis, addr);
                }
            }
        });
    }

    private void decide(DeviceFields f, int addr, int hub, DisconnectKind kind, long disconnectMillis, long reconnectMillis,
                        int age, boolean live) {
        int family = f.sdkFamily(addr);
        if (disconnectMillis >= f.lastDecisionTime(addr)) { // a deferred decision comes after newer ones
            f.lastDecision(addr, disconnectMillis, kind.ordinal() + 1);
        }
        if (kind == DisconnectKind.TRANSIENT) {
            flapping.record(f.hubName(hub), label(f, addr), disconnectMillis);
        }
        if (live) {
            stats.countDisconnect(hub, kind, family, f.sdkVersion(addr));
        }
        if (!listeners.isEmpty()) {
            Decision d = decision(f, addr, hub, kind, disconnectMillis, reconnectMillis, age, live);
            for (ClassificationListener l : listeners) {
                l.classified(d);
            }
        }
    }

    private Decision decision(DeviceFields f, int addr, int hub, DisconnectKind kind, long disconnectMillis, long reconnectMillis,
                              int age, boolean live) {
        return new Decision(f.hubName(hub), f.deviceId(addr), f.moduleId(addr), kind, disconnectMillis, reconnectMillis, age,
                SdkFamily.ofOrdinal(f.sdkFamily(addr)), versions.name(f.sdkVersion(addr)), live);
    }

    /** Reconnected within the grace window: token renewal when the connection's age fits a renewal period. */
    DisconnectKind kindOfQuickReconnect(DeviceFields f, int addr, int age) {
        return renewalLike(f, addr, age) ? DisconnectKind.TOKEN_RENEWAL : DisconnectKind.TRANSIENT;
    }

    private boolean renewalLike(DeviceFields f, int addr, int age) {
        if (age < 0) {
            return false;
        }
        int learned = f.learnedPeriod(addr);
        if (learned > 0 && f.learnedConfirmed(addr) && fitsPeriod(age, learned)) {
            return true;
        }
        SdkFamily family = SdkFamily.ofOrdinal(f.sdkFamily(addr));
        if (family != SdkFamily.UNKNOWN && family != SdkFamily.OTHER) {
            int p = settings.renewalSeconds().getOrDefault(family, 0);
            return p > 0 && fitsPeriod(age, p);
        }
        for (SdkFamily known : SdkFamily.values()) {
            int p = settings.renewalSeconds().getOrDefault(known, 0);
            if (p > 0 && fitsPeriod(age, p)) {
                return true;
            }
        }
        return false;
    }

    /** age ≈ k whole periods, each unseen renewal adding up to a minute of reconnect time. */
    boolean fitsPeriod(int age, int period) {
        for (int k = 1; k <= MAX_CYCLES; k++) {
            long low = (long) k * period - toleranceSeconds;
            long high = (long) k * period + (long) k * SLACK_PER_CYCLE_SECONDS + toleranceSeconds;
            if (age < low) {
                return false;
            }
            if (age <= high) {
                return true;
            }
        }
        return false;
    }

    /** Learns a device's own renewal period (non-default token lifetimes) from repeated similar connections. */
    private void learn(DeviceFields f, int addr, int age) {
        if (age < MIN_LEARNED_SECONDS) {
            return;
        }
        int learned = f.learnedPeriod(addr);
        if (learned > 0 && fitsPeriod(age, learned)) {
            f.learnedConfirmed(addr, true);
        } else if (learned > 0 && fitsPeriod(learned, age)) {
            f.learnedPeriod(addr, age); // the earlier one spanned several periods
            f.learnedConfirmed(addr, true);
        } else if (learned > 0 && f.learnedConfirmed(addr)) {
            return; // a confirmed period survives the odd flap
        } else {
            f.learnedPeriod(addr, age);
            f.learnedConfirmed(addr, false);
        }
    }

    private static String label(DeviceFields f, int addr) {
        String module = f.moduleId(addr);
        return module.isEmpty() ? f.deviceId(addr) : f.deviceId(addr) + "/" + module;
    }

    private static int ageSeconds(long millis) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, millis / 1000));
    }
}
