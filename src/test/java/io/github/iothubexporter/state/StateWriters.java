package io.github.iothubexporter.state;

/** Test access to the state writer's crash simulation from other packages. */
public final class StateWriters {
    private StateWriters() {
    }

    /** Stops the writer like kill -9 would: no final snapshot, only what was fsynced remains. */
    public static void crash(StateWriter w) throws InterruptedException {
        w.halt();
    }
}
