package io.github.iothubexporter.bench;

import io.github.iothubexporter.state.CriticalDevices;
import io.github.iothubexporter.state.StateStore;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.List;

/**
 * Retained heap per tracked identity: heap used (after full GCs) with a filled {@link StateStore} minus heap
 * used before it was created. Run with a stop-the-world collector for a stable number, e.g.
 * {@code java -Xmx2g -XX:+UseSerialGC -cp … HeapPerIdentity 1000000}.
 * Identities: {@code meter-%07d}, one in ten with moduleId {@code telemetry-agent}, over 3 hubs.
 */
public final class HeapPerIdentity {
    private HeapPerIdentity() {
    }

    public static void main(String[] args) throws InterruptedException {
        int identities = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int hubs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        // Load and initialise the classes involved (and their statics) before the baseline.
        StateStore warm = new StateStore(100, new CriticalDevices(List.of()), 1000);
        Fleet.fill(warm, 1000, hubs);
        warm = null;

        long before = settledHeapUsed(mem);
        StateStore store = new StateStore(100, new CriticalDevices(List.of()), 1000);
        long t0 = System.nanoTime();
        Fleet.fill(store, identities, hubs);
        long fillMillis = (System.nanoTime() - t0) / 1_000_000;
        long after = settledHeapUsed(mem);
        Reference.reachabilityFence(store);

        long retained = after - before;
        // Expected from DeviceTable's layout: 116-byte header + ID bytes per record, 1 MiB pages, and an
        // open-addressing index of two int arrays sized to the next power of two >= 2 x size.
        long recordBytes = 0;
        for (int i = 0; i < identities; i++) {
            recordBytes += 116 + EventGridBodies.deviceId(i).length() + EventGridBodies.moduleId(i).length();
        }
        long slots = 1024;
        while ((long) (identities + 1) * 2 > slots) {
            slots *= 2;
        }
        System.out.printf("identities=%d hubs=%d modules=%d%% jvm=%s gc=%s%n", store.size(), hubs, 10,
                System.getProperty("java.vm.version"), ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
        System.out.printf("heap used before=%d after=%d retained=%d bytes (fill took %d ms)%n", before, after, retained, fillMillis);
        System.out.printf("bytes/identity=%.1f%n", retained / (double) identities);
        System.out.printf("layout estimate: records %.1f B/identity (%d B in 1 MiB pages), index %.1f B/identity (%d slots x 8 B)%n",
                recordBytes / (double) identities, recordBytes, slots * 8.0 / identities, slots);
    }

    private static long settledHeapUsed(MemoryMXBean mem) throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
