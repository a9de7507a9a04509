package io.github.iothubexporter.state;

/**
 * Read/write access to the per-identity fields other stages keep in the state (classification, SDK), by
 * record address. Only valid on the writer thread, only for addresses handed out by it.
 */
public final class DeviceFields {
    private final StateStore store;

    DeviceFields(StateStore store) {
        this.store = store;
    }

    private DeviceTable t() {
        return store.table;
    }

    public boolean connected(int addr) {
        return t().connected(addr);
    }

    public int hub(int addr) {
        return t().hub(addr);
    }

    public String hubName(int hub) {
        return store.hubs.name(hub);
    }

    public String deviceId(int addr) {
        return t().deviceId(addr);
    }

    public String moduleId(int addr) {
        return t().moduleId(addr);
    }

    public long eventTime(int addr) {
        return t().eventTime(addr);
    }

    public long connectedSince(int addr) {
        return t().longAt(addr, DeviceTable.OFF_CONNECTED_SINCE);
    }

    public void connectedSince(int addr, long millis) {
        t().longAt(addr, DeviceTable.OFF_CONNECTED_SINCE, millis);
    }

    /** Event time of the disconnect awaiting a decision, or 0. */
    public long pendingSince(int addr) {
        return t().longAt(addr, DeviceTable.OFF_PENDING);
    }

    public void pendingSince(int addr, long millis) {
        t().longAt(addr, DeviceTable.OFF_PENDING, millis);
    }

    /** Connection age at the pending disconnect in seconds, or -1 when unknown. */
    public int pendingAge(int addr) {
        return t().intAt(addr, DeviceTable.OFF_PENDING_AGE);
    }

    public void pendingAge(int addr, int seconds) {
        t().intAt(addr, DeviceTable.OFF_PENDING_AGE, seconds);
    }

    public int learnedPeriod(int addr) {
        return t().intAt(addr, DeviceTable.OFF_LEARNED);
    }

    public void learnedPeriod(int addr, int seconds) {
        t().intAt(addr, DeviceTable.OFF_LEARNED, seconds);
    }

    /** Log evidence times (0 = none): last 401003, last other error, last clean (Information) disconnect. */
    public long authErrorTime(int addr) {
        return t().longAt(addr, DeviceTable.OFF_AUTH_ERROR);
    }

    public void authErrorTime(int addr, long millis) {
        t().longAt(addr, DeviceTable.OFF_AUTH_ERROR, millis);
    }

    public long otherErrorTime(int addr) {
        return t().longAt(addr, DeviceTable.OFF_OTHER_ERROR);
    }

    public void otherErrorTime(int addr, long millis) {
        t().longAt(addr, DeviceTable.OFF_OTHER_ERROR, millis);
    }

    public long cleanDisconnectTime(int addr) {
        return t().longAt(addr, DeviceTable.OFF_CLEAN_DISCONNECT);
    }

    public void cleanDisconnectTime(int addr, long millis) {
        t().longAt(addr, DeviceTable.OFF_CLEAN_DISCONNECT, millis);
    }

    /** Time of the latest successful deviceConnect record, or 0. */
    public long connectRecordTime(int addr) {
        return t().longAt(addr, DeviceTable.OFF_CONNECT_RECORD);
    }

    public void connectRecordTime(int addr, long millis) {
        t().longAt(addr, DeviceTable.OFF_CONNECT_RECORD, millis);
    }

    /**
     * Time of the deviceDisconnect record that began the outage now pending, or 0: the latest one up to its
     * snapshot. A drop, a reconnect and a second drop before the next snapshot look like one outage to
     * connection-state events, and the second drop's record must not overwrite when it began.
     */
    public long outageDropTime(int addr) {
        return t().longAt(addr, DeviceTable.OFF_OUTAGE_DROP);
    }

    public void outageDropTime(int addr, long millis) {
        t().longAt(addr, DeviceTable.OFF_OUTAGE_DROP, millis);
    }

    /** Time and ResultType of the identity's latest Connections record at level Error (0 when none). */
    public long lastErrorTime(int addr) {
        return t().longAt(addr, DeviceTable.OFF_LAST_ERROR_TIME);
    }

    public int lastErrorCode(int addr) {
        return t().intAt(addr, DeviceTable.OFF_LAST_ERROR_CODE);
    }

    public void lastError(int addr, long millis, int code) {
        t().longAt(addr, DeviceTable.OFF_LAST_ERROR_TIME, millis);
        t().intAt(addr, DeviceTable.OFF_LAST_ERROR_CODE, code);
    }

    /** Event time of a reconnect whose disconnect still waits for log evidence, or 0. */
    public long reconnectedAt(int addr) {
        return t().longAt(addr, DeviceTable.OFF_RECONNECTED);
    }

    public void reconnectedAt(int addr, long millis) {
        t().longAt(addr, DeviceTable.OFF_RECONNECTED, millis);
    }

    /** The most recent decision: its disconnect's event time and kind ordinal + 1 (0 = none yet). */
    public long lastDecisionTime(int addr) {
        return t().longAt(addr, DeviceTable.OFF_LAST_DECISION);
    }

    public int lastDecisionKind(int addr) {
        return t().byteAt(addr, DeviceTable.OFF_LAST_KIND);
    }

    public void lastDecision(int addr, long millis, int kindPlusOne) {
        t().longAt(addr, DeviceTable.OFF_LAST_DECISION, millis);
        t().byteAt(addr, DeviceTable.OFF_LAST_KIND, kindPlusOne);
    }

    public boolean genuine(int addr) {
        return (t().flags(addr) & DeviceTable.FLAG_GENUINE) != 0;
    }

    public void genuine(int addr, boolean on) {
        setFlag(addr, DeviceTable.FLAG_GENUINE, on);
    }

    public boolean learnedConfirmed(int addr) {
        return (t().flags(addr) & DeviceTable.FLAG_LEARNED_CONFIRMED) != 0;
    }

    public void learnedConfirmed(int addr, boolean on) {
        setFlag(addr, DeviceTable.FLAG_LEARNED_CONFIRMED, on);
    }

    public boolean critical(int addr) {
        return t().critical(addr);
    }

    public int sdkFamily(int addr) {
        return t().sdk(addr);
    }

    public int sdkVersion(int addr) {
        return t().sdkVersion(addr);
    }

    public void sdk(int addr, int family, int version) {
        t().sdk(addr, family, version);
    }

    /** Small durable values kept with the state (they travel in snapshots). */
    public byte[] meta(String key) {
        return store.meta.get(key);
    }

    public void meta(String key, byte[] value) {
        store.meta.put(key, value);
    }

    /** Address of an identity, or -1. */
    public int find(String hub, String device, String module) {
        int h = store.hubs.find(hub);
        return h < 0 ? -1 : t().find(h, device, module);
    }

    public void forEach(DeviceTable.AddressConsumer consumer) {
        t().forEach(consumer);
    }

    /**
     * Visits the records of {@code pages} table pages from {@code fromPage}; returns the page to continue from, or -1
     * at the end. Lets a reader walk the whole table in several short tasks instead of holding the writer for one
     * long one (records never move, so no identity that existed at the start is missed).
     */
    public int forEachInPages(int fromPage, int pages, DeviceTable.AddressConsumer consumer) {
        return t().forEachInPages(fromPage, pages, consumer);
    }

    public boolean deviceIdStartsWith(int addr, String prefix) {
        return t().deviceIdStartsWith(addr, prefix);
    }

    /** {@code deviceId(addr).compareTo(other)} without building the String. */
    public int compareDeviceId(int addr, String other) {
        return t().compareDeviceId(addr, other);
    }

    public int hubCount() {
        return store.hubs.size();
    }

    /** Refreshes a critical device's published series after its offline flag changed. */
    public void republishCritical(int addr) {
        if (t().critical(addr)) {
            store.publishCritical(addr);
        }
    }

    private void setFlag(int addr, int flag, boolean on) {
        int f = t().flags(addr);
        t().flags(addr, on ? f | flag : f & ~flag);
    }
}
