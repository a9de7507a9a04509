package io.github.iothubexporter.state;

/** Test access to the state writer from other packages. */
public final class StateWriters {
    private StateWriters() {
    }

    /** Stops like kill -9 would: no final snapshot, only what was fsynced remains. */
    public static void crash(StateWriter writer) throws InterruptedException {
        writer.halt();
    }
}
