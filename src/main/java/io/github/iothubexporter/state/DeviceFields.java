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

    /** Address of an identity, or -1. */
    public int find(String hub, String device, String module) {
        int h = store.hubs.find(hub);
        return h < 0 ? -1 : t().find(h, device, module);
    }

    public void forEach(DeviceTable.AddressConsumer consumer) {
        t().forEach(consumer);
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
